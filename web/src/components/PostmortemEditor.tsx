import { useState } from 'react';
import { getToken } from '../api.ts';
import { formatTimestamp } from '../format.ts';
import { withAccessToken } from '../incident-data.ts';
import { useGeneratePostmortem, useSavePostmortem } from '../incident-queries.ts';
import { MarkdownPreview } from './MarkdownPreview.tsx';
import { WriteError } from './WriteError.tsx';

/**
 * The postmortem: "Generate draft" writes it from the evidence, the textarea
 * edits the Markdown beside a rendered preview, Save stores it. While the
 * text is unchanged it follows the stored version (someone else's save
 * arrives live); once edited it is left alone until saved. A stored edit is
 * only replaced by a new draft after the person confirms it.
 */
export function PostmortemEditor(props: {
  incidentId: number;
  stored: string | undefined;
  /** Who stored the postmortem by hand, when someone did: a new draft then needs their consent. */
  edited: { at: number; by: string } | undefined;
}) {
  const { incidentId, stored, edited } = props;
  const [text, setText] = useState(stored ?? '');
  const [base, setBase] = useState(stored);
  const generate = useGeneratePostmortem(incidentId);
  const save = useSavePostmortem(incidentId);
  // Adjusting state while rendering (not in an effect) avoids a frame showing the old text.
  if (stored !== base) {
    if (text === (base ?? '')) setText(stored ?? '');
    setBase(stored);
  }
  const dirty = text !== (stored ?? '');
  const onGenerate = () => {
    if (dirty && text.trim() !== '' && !window.confirm('Replace your unsaved edits with a new draft?'))
      return;
    // The server refuses to replace an edited postmortem unless asked to: ask the person first.
    const force =
      edited !== undefined &&
      window.confirm(
        `The postmortem was edited by ${edited.by} on ${formatTimestamp(edited.at)}. Replace it with a new draft from the evidence? The edit is lost.`,
      );
    if (edited !== undefined && !force) return;
    generate.mutate({ force }, { onSuccess: (incident) => setText(incident.postmortem ?? '') });
  };
  return (
    <section className="panel" data-testid="postmortem">
      <header className="panel-head">
        <h3>Postmortem</h3>
        <span className="muted small">
          Markdown; the draft is filled from milestones, alerts, checks, pages, tasks and the timeline
        </span>
        <span className="pm-actions">
          <button type="button" onClick={onGenerate} disabled={generate.isPending} data-testid="pm-generate">
            {generate.isPending ? 'Generating…' : stored ? 'Regenerate draft' : 'Generate draft'}
          </button>
          <button
            type="button"
            className="primary-button"
            onClick={() => save.mutate(text)}
            disabled={save.isPending || !dirty || text.trim() === ''}
            data-testid="pm-save"
          >
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
          {stored && (
            <a
              href={withAccessToken(`/api/v1/incidents/${incidentId}/postmortem.md`, getToken())}
              target="_blank"
              rel="noreferrer"
              className="small"
            >
              postmortem.md
            </a>
          )}
          <span className="muted small" data-testid="pm-status">
            {dirty
              ? 'unsaved changes'
              : edited
                ? `saved (edited by ${edited.by})`
                : stored
                  ? 'saved draft'
                  : 'no postmortem yet'}
          </span>
        </span>
      </header>
      <WriteError error={generate.error ?? save.error} testId="pm-error" />
      <div className="pm-grid">
        <textarea
          className="pm-text"
          data-testid="pm-text"
          aria-label="Postmortem Markdown"
          spellCheck
          value={text}
          placeholder="Generate a draft, or write the postmortem here in Markdown."
          onChange={(e) => setText(e.target.value)}
        />
        <div className="pm-preview">
          {text.trim() === '' ? (
            <div className="empty muted">The preview shows here.</div>
          ) : (
            <MarkdownPreview markdown={text} testId="pm-preview" />
          )}
        </div>
      </div>
    </section>
  );
}
