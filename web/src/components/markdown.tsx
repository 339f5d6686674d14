// Markdown of logbook entries (docs/logbook.md), rendered safely: the text becomes Preact
// elements with text children, never HTML, so nothing an author writes — <script>, an
// onerror attribute, raw HTML of any kind — can run or change the page; it shows as typed.
// Links open only http(s) and mailto addresses. The subset scientists write in a logbook:
// paragraphs, # headings, - and 1. lists, ``` code blocks, **bold**, *italic*, `code`,
// [links](https://…) and bare https:// addresses.
import type { ComponentChildren, VNode } from "preact";

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

// Inline spans of one line or paragraph.
export function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  // code | bold | italic | [text](url) | bare url
  // Each span is bounded, so text built to backtrack ("[[[[…", "[a](" repeated) costs at most
  // a few hundred steps per character instead of freezing the page.
  const token = /`([^`\n]{1,1000})`|\*\*([^*\n]{1,1000})\*\*|\*([^*\s][^*\n]{0,1000})\*|\[([^\]\n]{1,500})\]\(([^)\s]{1,2000})\)|(https?:\/\/[^\s<>()]{1,2000}[^\s<>().,;:!?])/g;
  let at = 0;
  for (const m of text.matchAll(token)) {
    if (m.index! > at) out.push(text.slice(at, m.index));
    if (m[1] !== undefined) out.push(<code>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong>{inline(m[2])}</strong>);
    else if (m[3] !== undefined) out.push(<em>{inline(m[3])}</em>);
    else if (m[4] !== undefined) out.push(SAFE_LINK.test(m[5]!) ? <a href={m[5]} rel="noopener nofollow">{inline(m[4])}</a> : m[0]);
    else out.push(<a href={m[6]} rel="noopener nofollow">{m[6]}</a>);
    at = m.index! + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

export function Markdown({ text }: { text: string }) {
  const blocks: VNode[] = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push(<p>{inline(paragraph.join(" "))}</p>);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("```")) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith("```"); i++) code.push(lines[i]!);
      blocks.push(<pre><code>{code.join("\n")}</code></pre>);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      // Entries sit under the page's own headings: their levels start at h4.
      const level = Math.min(6, heading[1]!.length + 3);
      const H = `h${level}` as "h4";
      blocks.push(<H>{inline(heading[2]!)}</H>);
      continue;
    }
    const bullet = /^\s*([-*]|\d+[.)])\s+(.*)$/.exec(line);
    if (bullet) {
      flush();
      const ordered = /\d/.test(bullet[1]!);
      const items: string[] = [bullet[2]!];
      while (i + 1 < lines.length) {
        const next = /^\s*([-*]|\d+[.)])\s+(.*)$/.exec(lines[i + 1]!);
        if (!next || /\d/.test(next[1]!) !== ordered) break;
        items.push(next[2]!);
        i++;
      }
      const children = items.map((item) => <li>{inline(item)}</li>);
      blocks.push(ordered ? <ol>{children}</ol> : <ul>{children}</ul>);
      continue;
    }
    if (!line.trim()) flush();
    else paragraph.push(line.trim());
  }
  flush();
  return <div class="markdown">{blocks}</div>;
}
