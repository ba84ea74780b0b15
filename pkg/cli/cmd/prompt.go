// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"
)

// terminal asks on stderr and reads stdin, the only channels an exec plugin may
// use while kubectl reads its stdout.
type terminal struct {
	once   sync.Once
	reader *bufio.Reader
}

func (t *terminal) IsTerminal() bool { return term.IsTerminal(int(os.Stdin.Fd())) }

func (t *terminal) ReadLine(prompt string) (string, error) {
	t.once.Do(func() { t.reader = bufio.NewReader(os.Stdin) })
	_, _ = fmt.Fprint(os.Stderr, prompt)
	line, err := t.reader.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (t *terminal) ReadPassword(prompt string) (string, error) {
	_, _ = fmt.Fprint(os.Stderr, prompt)
	password, err := term.ReadPassword(int(os.Stdin.Fd()))
	_, _ = fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	return string(password), nil
}
