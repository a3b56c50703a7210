import { onClickOutside, onKeyStroke } from '@vueuse/core';
import { ref, type Ref } from 'vue';

/** A disclosure menu: closes on Escape (focus back to its button) and on a click outside. */
export function useDropdown(root: Ref<HTMLElement | null>, button: Ref<HTMLElement | null>) {
  const open = ref(false);
  onClickOutside(root, () => {
    open.value = false;
  });
  onKeyStroke('Escape', () => {
    if (!open.value) return;
    open.value = false;
    button.value?.focus();
  });
  return { open, toggle: () => (open.value = !open.value), close: () => (open.value = false) };
}
