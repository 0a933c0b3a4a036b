import { ApiProblem, looksLikeProblem } from '../../../http/api-problem.ts';
import { currentLocale } from '../../../i18n/i18n.ts';

/** The file name a Content-Disposition header offers (the UTF-8 form first), or the fallback. */
export function fileNameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain?.[1]?.trim() || fallback;
}

/**
 * Download a file the API builds (an export, an error report) with the session cookie, so a refusal
 * comes back as a problem the page can show instead of a raw JSON page in the browser.
 */
export async function downloadFile(url: string, fallbackName: string): Promise<void> {
  const res = await fetch(url, { credentials: 'include', headers: { 'Accept-Language': currentLocale() } });
  if (!res.ok) {
    const payload: unknown = await res.json().catch(() => undefined);
    if (looksLikeProblem(payload)) throw new ApiProblem(payload);
    throw new Error(`HTTP ${res.status}`);
  }
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = fileNameFromDisposition(res.headers.get('content-disposition'), fallbackName);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
