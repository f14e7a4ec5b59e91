import template from './licenseForm.json';
import { renderCard, type CardAttachment } from './renderCard';

export interface LicenseFormCardData {
  title: string;
  hint: string;
  placeholder: string;
  submitLabel: string;
}

/** The card form of `license <UPN or name>`: the typed query arrives as the input `query`. */
export function renderLicenseFormCard(data: LicenseFormCardData): CardAttachment {
  return renderCard('licenseForm', template, data);
}
