import type { Locator } from 'playwright-core';

/** A rectangle on the page, in CSS pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The few DOM members used inside page functions (the project compiles without the DOM library). */
interface DomElement {
  className: unknown;
  parentElement: DomElement | null;
  getBoundingClientRect(): Rect;
  scrollIntoView(options: { block: 'start' | 'end' }): void;
  ownerDocument: { defaultView: { getComputedStyle(el: DomElement): { overflowY: string } } | null };
}

/**
 * Where a message is in the Agents Playground's chat: its row (sender line, avatar and bubble) as a direct child
 * of the chat's scrolling list, that list, and its bubble (a card's frame, or the element itself). With `scroll`,
 * the row is first scrolled to the list's top or bottom. Shared by the README screenshots and the browser tests.
 */
export async function messageGeometry(
  message: Locator,
  scroll: 'start' | 'end' | undefined,
): Promise<{ row: Rect; list: Rect; bubble: Rect }> {
  return message.evaluate((start, doScroll) => {
    const el = start as unknown as DomElement;
    const view = el.ownerDocument.defaultView;
    if (!view) throw new Error('no window');
    let row = el;
    while (
      row.parentElement &&
      !['auto', 'scroll'].includes(view.getComputedStyle(row.parentElement).overflowY)
    )
      row = row.parentElement;
    const list = row.parentElement;
    if (!list) throw new Error('the message is not inside a scrolling list');
    if (doScroll) row.scrollIntoView({ block: doScroll });
    // A card's bubble (frame and shadow) is a few levels above the card itself.
    let bubble = el;
    for (let up = el, i = 0; up.parentElement && i < 5; up = up.parentElement, i++)
      if (String(up.className).includes('OutputCard')) bubble = up;
    // No helper functions in here: tsx would wrap them in a __name() call that the page does not have.
    const [r, l, b] = [row, list, bubble].map((e) => e.getBoundingClientRect());
    return {
      row: { x: r.x, y: r.y, width: r.width, height: r.height },
      list: { x: l.x, y: l.y, width: l.width, height: l.height },
      bubble: { x: b.x, y: b.y, width: b.width, height: b.height },
    };
  }, scroll);
}
