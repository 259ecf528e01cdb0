import { useMemo } from 'react';
import { renderMarkdown } from '../incident-data.ts';

/** Markdown rendered by the UI's own small renderer (which escapes every piece of text). */
export function MarkdownPreview({ markdown, testId }: { markdown: string; testId?: string }) {
  const html = useMemo(() => renderMarkdown(markdown), [markdown]);
  return (
    <div
      className="markdown"
      data-testid={testId}
      // biome-ignore lint/security/noDangerouslySetInnerHtml: renderMarkdown escapes all text and emits only its own tags.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
