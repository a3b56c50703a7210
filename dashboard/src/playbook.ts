import { api } from './api';

/** The playbook as the API returns it; keys this dashboard does not know are kept and sent back. */
export type PlaybookDoc = Record<string, unknown> & {
  businessName?: string;
  tone?: string;
  languages?: string[];
  defaultLanguage?: string;
};

export const TONES = ['friendly', 'formal', 'concise'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** GET /playbook answers the playbook itself; an envelope `{ playbook }` is accepted too. */
function unwrap(res: unknown): PlaybookDoc {
  if (isObject(res) && isObject(res.playbook) && !('tone' in res)) return res.playbook as PlaybookDoc;
  return (isObject(res) ? res : {}) as PlaybookDoc;
}

export async function loadPlaybook(): Promise<PlaybookDoc> {
  return unwrap(await api.get<unknown>('/playbook'));
}

export async function savePlaybook(doc: PlaybookDoc): Promise<PlaybookDoc> {
  const res = await api.put<unknown>('/playbook', doc);
  return res === undefined ? doc : unwrap(res);
}
