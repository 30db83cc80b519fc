// Package tutorialuser plays the person at the keyboard during the CLI's first run: it reads
// the printed login URL, has it approved (by the fake Globus), and types the code at the
// prompt. The demo and the benchmarks use it; the CLI's own tests check each line themselves.
package tutorialuser

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Prompt is what the CLI prints before reading the code.
const Prompt = "Please enter the code here: "

// Login runs cmd (a CLI with no token file), answers its prompt with approve(url) and copies
// everything the CLI prints to echo, the typed code included. It returns when the CLI exits.
func Login(cmd *exec.Cmd, approve func(authorizeURL string) (code string, err error), echo io.Writer) error {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Wait() // reaps the process on early returns; the last call's error is the one returned
	r := bufio.NewReader(stdout)
	var url string
	for url == "" { // "Please go to this URL and login:", a blank line, the URL
		line, err := r.ReadString('\n')
		io.WriteString(echo, line)
		if err != nil {
			stdin.Close()
			return fmt.Errorf("the CLI printed no login URL: %w", err)
		}
		if strings.HasPrefix(line, "http") {
			url = strings.TrimSpace(line)
		}
	}
	prompt := make([]byte, len("\n"+Prompt))
	if _, err := io.ReadFull(r, prompt); err != nil || string(prompt) != "\n"+Prompt {
		stdin.Close()
		return fmt.Errorf("the CLI did not ask for the code (got %q)", prompt)
	}
	echo.Write(prompt)
	code, err := approve(url)
	if err != nil {
		stdin.Close()
		return err
	}
	fmt.Fprintln(echo, code)
	io.WriteString(stdin, code+"\n")
	stdin.Close()
	io.Copy(echo, r)
	return cmd.Wait()
}
