import { z } from 'zod';

export const LanguageSchema = z.enum(['en', 'tr']);
export type Language = z.infer<typeof LanguageSchema>;
