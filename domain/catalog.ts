import { z } from 'zod';

export const ProductSchema = z.object({
  sku: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  description: z.string().max(4000).default(''),
  priceMinor: z.number().int().nonnegative(),
  currency: z.string().length(3),
  stock: z.number().int().nonnegative(),
  tags: z.array(z.string()).default([]),
});
export type Product = z.infer<typeof ProductSchema>;

/**
 * The only way an agent learns prices and stock: providers call it as a tool
 * and never trust numbers from model text.
 */
export interface CatalogTool {
  search(query: string, limit?: number): Promise<Product[]>;
  get(sku: string): Promise<Product | null>;
  list(): Promise<Product[]>;
}
