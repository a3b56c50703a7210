interface ImportMetaEnv {
  /** The server a native build signs in to unless the member names another. */
  readonly VITE_API_URL?: string;
}
