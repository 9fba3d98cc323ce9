// Text that grows while it streams: each change of the signal is appended to one text node at once, in the same task
// as the event that brought it (@preact/signals would wait for the next animation frame), with no render around it.
import type { Signal } from '@preact/signals';
import { useLayoutEffect, useRef } from 'preact/hooks';

export function StreamedText({ text }: { text: Signal<string> }) {
  const holder = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => {
    const element = holder.current;
    if (!element) return;
    const node = document.createTextNode('');
    element.replaceChildren(node);
    let shown = '';
    // subscribe() calls back at once with the current value, then synchronously on every change.
    return text.subscribe((value) => {
      if (value.startsWith(shown)) node.appendData(value.slice(shown.length));
      else node.data = value;
      shown = value;
    });
  }, [text]);
  return <span ref={holder} />;
}
