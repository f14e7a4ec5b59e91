/**
 * Makes text from outside (Teams display names, directory values) inert in Teams markdown: no links, no
 * mentions or HTML. Text we write ourselves is trusted and not passed through here.
 */
export function inertMarkdown(text: string): string {
  return text.replace(/\]\s*\(/g, '] (').replace(/[<>]/g, '');
}
