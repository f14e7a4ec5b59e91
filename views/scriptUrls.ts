/** Where the bot serves its scripts (bot/server.ts): the download (BOM, CRLF) and the text for PowerShell's irm. */
export const scriptDownloadUrl = (publicBaseUrl: string, fileName: string): string =>
  `${publicBaseUrl}/downloads/${encodeURIComponent(fileName)}`;

export const scriptTextUrl = (publicBaseUrl: string, fileName: string): string =>
  `${publicBaseUrl}/scripts/${encodeURIComponent(fileName)}`;
