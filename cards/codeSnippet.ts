/** A snippet as cards show it: a Teams CodeBlock with a monospace fallback for clients without one. */
export interface CardCodeSnippet {
  caption: string;
  /** One of Teams' CodeBlock languages, e.g. PowerShell, DOS, PlainText. */
  language: string;
  text: string;
}

export interface CardLink {
  title: string;
  url: string;
}
