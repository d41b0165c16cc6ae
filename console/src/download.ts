/** Saves text as a file the browser downloads (an export, a request's evidence). */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once started; the address is freed after it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
