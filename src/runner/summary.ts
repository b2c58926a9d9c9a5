/** A job summary in GitHub-flavoured Markdown, built up and written once. */
export class Summary {
  private readonly parts: string[] = [];

  heading(text: string, level: 1 | 2 | 3 = 2): this {
    this.parts.push(`${'#'.repeat(level)} ${text}\n`);
    return this;
  }

  paragraph(text: string): this {
    this.parts.push(`${text}\n`);
    return this;
  }

  table(header: readonly string[], rows: readonly (readonly string[])[]): this {
    const line = (cells: readonly string[]) =>
      `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
    this.parts.push(
      [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n',
    );
    return this;
  }

  list(items: readonly string[]): this {
    this.parts.push(items.map((item) => `- ${item}`).join('\n') + '\n');
    return this;
  }

  details(label: string, body: string): this {
    this.parts.push(`<details><summary>${label}</summary>\n\n${body}\n\n</details>\n`);
    return this;
  }

  isEmpty(): boolean {
    return this.parts.length === 0;
  }

  stringify(): string {
    return this.parts.join('\n');
  }
}
