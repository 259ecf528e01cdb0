/**
 * The editable parts of an incident: roles, business impact, tasks and
 * follow-ups, public updates. Each form starts from the incident as stored
 * and is keyed by it by the page, so a live change resets an untouched form.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { formatTimestamp } from '../format.ts';
import {
  groupTasks,
  type ImpactForm,
  type Incident,
  impactFormOf,
  impactPatch,
  ROLES,
  type RoleName,
  rolesPatch,
  type Task,
} from '../incident-data.ts';
import {
  type NewTask,
  useAddTask,
  usePatchIncident,
  usePublicUpdate,
  useUpdateTask,
} from '../incident-queries.ts';
import { WriteError } from './WriteError.tsx';

/** Commander, scribe, communications: blank clears a role. */
export function RolesPanel({ incident }: { incident: Incident }) {
  const patch = usePatchIncident(incident.id);
  const [form, setForm] = useState<Record<RoleName, string>>({
    commander: incident.roles.commander ?? '',
    scribe: incident.roles.scribe ?? '',
    communications: incident.roles.communications ?? '',
  });
  const changes = rolesPatch(incident.roles, form);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(changes).length > 0) patch.mutate({ roles: changes });
  };
  return (
    <form className="panel" onSubmit={submit} data-testid="roles">
      <header className="panel-head">
        <h3>Roles</h3>
        <span className="muted small">blank clears a role</span>
      </header>
      <div className="field-grid">
        {ROLES.map((r) => (
          <label key={r.name}>
            <span className="field-label">{r.label}</span>
            <input
              data-testid={`role-${r.name}`}
              value={form[r.name]}
              placeholder="nobody"
              onChange={(e) => setForm({ ...form, [r.name]: e.target.value })}
            />
          </label>
        ))}
      </div>
      <div className="form-actions">
        <button
          type="submit"
          disabled={patch.isPending || Object.keys(changes).length === 0}
          data-testid="roles-save"
        >
          Save roles
        </button>
        <WriteError error={patch.error} />
      </div>
    </form>
  );
}

const IMPACT_FIELDS: { key: keyof ImpactForm; label: string; placeholder: string }[] = [
  { key: 'customersAffected', label: 'Customers affected', placeholder: 'e.g. 1200' },
  { key: 'failedTransactions', label: 'Failed transactions', placeholder: 'e.g. 340' },
  { key: 'value', label: 'Value lost', placeholder: 'e.g. 5120.50' },
  { key: 'currency', label: 'Currency', placeholder: 'EUR' },
];

/** Who and what was affected, for the postmortem and the metrics. */
export function ImpactPanel({ incident }: { incident: Incident }) {
  const patch = usePatchIncident(incident.id);
  const [form, setForm] = useState<ImpactForm>(() => impactFormOf(incident.impact));
  const [problem, setProblem] = useState<string | undefined>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = impactPatch(form);
    if ('error' in r) {
      setProblem(r.error);
      return;
    }
    setProblem(undefined);
    patch.mutate({ impact: r.patch });
  };
  return (
    <form className="panel" onSubmit={submit} data-testid="impact">
      <header className="panel-head">
        <h3>Business impact</h3>
        <span className="muted small">blank clears a field</span>
      </header>
      <div className="field-grid">
        {IMPACT_FIELDS.map((f) => (
          <label key={f.key}>
            <span className="field-label">{f.label}</span>
            <input
              data-testid={`impact-${f.key}`}
              value={form[f.key]}
              placeholder={f.placeholder}
              inputMode={f.key === 'currency' ? 'text' : 'decimal'}
              onChange={(e) => setForm({ ...form, [f.key]: e.target.value })}
            />
          </label>
        ))}
        <label className="field-wide">
          <span className="field-label">Notes</span>
          <textarea
            data-testid="impact-notes"
            rows={2}
            value={form.notes}
            onChange={(e) => setForm({ ...form, notes: e.target.value })}
          />
        </label>
      </div>
      <div className="form-actions">
        <button type="submit" disabled={patch.isPending} data-testid="impact-save">
          Save impact
        </button>
        {problem && (
          <span className="notice-error small" role="alert">
            {problem}
          </span>
        )}
        <WriteError error={patch.error} />
      </div>
    </form>
  );
}

/** Tasks during the incident and follow-up action items after it: add, mark done, reopen. */
export function TasksPanel({ incident }: { incident: Incident }) {
  const { tasks, followUps } = groupTasks(incident.tasks);
  const update = useUpdateTask(incident.id);
  // While a write is on its way the box shows what was clicked, whatever a refetch says meanwhile.
  const pending = update.isPending ? update.variables : undefined;
  return (
    <section className="panel" data-testid="tasks">
      <header className="panel-head">
        <h3>Tasks and follow-ups</h3>
        <span className="muted small">{incident.tasks.filter((t) => t.status === 'open').length} open</span>
      </header>
      <div className="task-columns">
        <TaskList
          title="Tasks"
          tasks={tasks}
          pending={pending}
          onStatus={(task, status) => update.mutate({ task, status })}
          empty="No tasks."
        />
        <TaskList
          title="Follow-ups"
          tasks={followUps}
          pending={pending}
          onStatus={(task, status) => update.mutate({ task, status })}
          empty="No follow-ups: add the actions that keep this from happening again."
        />
      </div>
      <WriteError error={update.error} />
      <TaskForm incidentId={incident.id} />
    </section>
  );
}

function TaskList(props: {
  title: string;
  tasks: Task[];
  empty: string;
  pending?: { task: string; status: Task['status'] };
  onStatus: (task: string, status: Task['status']) => void;
}) {
  const { title, tasks, empty, pending, onStatus } = props;
  return (
    <div>
      <div className="field-label">{title}</div>
      {tasks.length === 0 ? (
        <div className="empty muted small">{empty}</div>
      ) : (
        <ul className="task-list">
          {tasks.map((t) => (
            <TaskRow
              key={t.id}
              task={t}
              pending={pending?.task === t.id ? pending : undefined}
              onStatus={onStatus}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function TaskRow(props: {
  task: Task;
  pending?: { status: Task['status'] };
  onStatus: (task: string, status: Task['status']) => void;
}) {
  const { task: t, pending, onStatus } = props;
  // react-query tells React about the optimistic cache write a tick after the click, and React puts
  // a controlled box back to its old value at the end of the click: without this local state the
  // click shows nothing for that moment. Cleared once the write settles and the cache speaks again.
  const [clicked, setClicked] = useState<Task['status'] | undefined>(undefined);
  const writing = pending !== undefined;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new status from the cache also ends the override (a write can settle before React sees it pending)
  useEffect(() => {
    if (!writing) setClicked(undefined);
  }, [writing, t.status]);
  const shown = clicked ?? pending?.status ?? t.status;
  return (
    <li
      data-testid="task"
      data-task={t.id}
      data-kind={t.kind}
      data-status={t.status}
      className={`task task-${t.status}`}
    >
      <label>
        <input
          type="checkbox"
          checked={shown === 'done'}
          disabled={t.status === 'cancelled'}
          aria-label={`${t.title} done`}
          data-testid="task-done"
          onChange={(e) => {
            const status = e.target.checked ? 'done' : 'open';
            setClicked(status);
            onStatus(t.id, status);
          }}
        />
        <span className="task-title">{t.title}</span>
      </label>
      {t.actionType && <span className="tag tag-action">{t.actionType}</span>}
      {t.owner && <span className="muted small">@{t.owner}</span>}
      {t.dueAt !== undefined && (
        <span className="muted small num">due {formatTimestamp(t.dueAt).slice(0, 10)}</span>
      )}
      {t.status === 'cancelled' && <span className="muted small">cancelled</span>}
    </li>
  );
}

function TaskForm({ incidentId }: { incidentId: number }) {
  const add = useAddTask(incidentId);
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const [kind, setKind] = useState<Task['kind']>('task');
  const [actionType, setActionType] = useState<'' | NonNullable<Task['actionType']>>('');
  const [due, setDue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (title.trim() === '') return;
    // A date input gives a local date; the end of that day is when it is due.
    const dueAt = due ? new Date(`${due}T23:59:59`).getTime() : undefined;
    const task: NewTask = {
      title: title.trim(),
      kind,
      ...(owner.trim() ? { owner: owner.trim() } : {}),
      ...(actionType ? { actionType } : {}),
      ...(dueAt !== undefined && Number.isFinite(dueAt) ? { dueAt } : {}),
    };
    add.mutate(task, {
      onSuccess: () => {
        setTitle('');
        setOwner('');
        setDue('');
      },
    });
  };
  return (
    <form className="inline-form task-form" onSubmit={submit}>
      <select
        data-testid="task-kind"
        aria-label="Kind"
        value={kind}
        onChange={(e) => setKind(e.target.value as Task['kind'])}
      >
        <option value="task">task</option>
        <option value="follow-up">follow-up</option>
      </select>
      <input
        className="grow"
        data-testid="task-title"
        aria-label="Task title"
        placeholder={kind === 'task' ? 'Something to do now' : 'An action to take afterwards'}
        value={title}
        maxLength={500}
        onChange={(e) => setTitle(e.target.value)}
      />
      <input
        className="short"
        data-testid="task-owner"
        aria-label="Owner"
        placeholder="owner"
        value={owner}
        onChange={(e) => setOwner(e.target.value)}
      />
      <select
        data-testid="task-action-type"
        aria-label="Action type"
        value={actionType}
        onChange={(e) => setActionType(e.target.value as typeof actionType)}
      >
        <option value="">type…</option>
        <option value="mitigate">mitigate</option>
        <option value="prevent">prevent</option>
        <option value="process">process</option>
      </select>
      <input
        type="date"
        className="short"
        aria-label="Due date"
        value={due}
        onChange={(e) => setDue(e.target.value)}
      />
      <button type="submit" disabled={add.isPending || title.trim() === ''} data-testid="task-submit">
        Add
      </button>
      <WriteError error={add.error} />
    </form>
  );
}

/** Public updates (shown on the status page while the incident is open): the list and a form. */
export function PublicUpdatesPanel({ incident }: { incident: Incident }) {
  const post = usePublicUpdate(incident.id);
  const [body, setBody] = useState('');
  const latestTitle = incident.publicUpdates.at(-1)?.title ?? '';
  const [title, setTitle] = useState(latestTitle);
  const updates = [...incident.publicUpdates].sort((a, b) => b.at - a.at);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (body.trim() === '' || title.trim() === '') return;
    post.mutate({ title: title.trim(), body: body.trim() }, { onSuccess: () => setBody('') });
  };
  return (
    <section className="panel" data-testid="public-updates">
      <header className="panel-head">
        <h3>Public updates</h3>
        <span className="muted small">
          newest first; shown on the status page under their own title while the incident is open
        </span>
      </header>
      {updates.length === 0 ? (
        <div className="empty muted small">
          No public update yet: the status page does not show this incident.
        </div>
      ) : (
        <ul className="update-list">
          {updates.map((u) => (
            <li key={`${u.at}:${u.body}`} data-testid="public-update">
              <span className="num muted small">{formatTimestamp(u.at)}</span>
              <b data-testid="public-update-title">{u.title}</b>
              <span>{u.body}</span>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={submit}>
        <input
          data-testid="update-title"
          aria-label="Public title"
          placeholder="Public title (not the internal one)"
          value={title}
          maxLength={200}
          required
          onChange={(e) => setTitle(e.target.value)}
        />
        <input
          className="grow"
          data-testid="update-input"
          aria-label="Public update"
          placeholder="What customers should know (no internal details)"
          value={body}
          maxLength={5_000}
          onChange={(e) => setBody(e.target.value)}
        />
        <button
          type="submit"
          disabled={post.isPending || body.trim() === '' || title.trim() === ''}
          data-testid="update-submit"
        >
          Post update
        </button>
        <WriteError error={post.error} />
      </form>
    </section>
  );
}
