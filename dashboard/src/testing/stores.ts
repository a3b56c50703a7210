import { createPinia, setActivePinia } from 'pinia';
import { fakeApi } from './fake-api';

export type FakeApi = ReturnType<typeof fakeApi>;

/** What each store spec starts from: empty stores over a fresh fake API. */
export function freshStores(): FakeApi {
  setActivePinia(createPinia());
  return fakeApi();
}
