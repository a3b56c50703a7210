import { onBeforeUnmount, ref, watch, type Ref } from 'vue';

/** A disclosure menu: closes on Escape (focus back to its button) and on a click outside. */
export function useDropdown(root: Ref<HTMLElement | null>, button: Ref<HTMLElement | null>) {
  const open = ref(false);

  function onDocClick(e: MouseEvent): void {
    if (root.value && !root.value.contains(e.target as Node)) open.value = false;
  }
  function onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape' && open.value) {
      open.value = false;
      button.value?.focus();
    }
  }
  watch(open, (isOpen) => {
    if (isOpen) {
      document.addEventListener('mousedown', onDocClick);
      document.addEventListener('keydown', onKey);
    } else {
      document.removeEventListener('mousedown', onDocClick);
      document.removeEventListener('keydown', onKey);
    }
  });
  onBeforeUnmount(() => {
    document.removeEventListener('mousedown', onDocClick);
    document.removeEventListener('keydown', onKey);
  });
  return { open, toggle: () => (open.value = !open.value), close: () => (open.value = false) };
}
