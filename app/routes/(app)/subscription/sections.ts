/**
 * The Subscription page's sections, one page each (Seat policies lives at /policies, with its own screens below it), in the order of the bar at their top
 * (SubscriptionSections.svelte). Sections that moved off the first page keep their old links:
 * `MOVED` sends /subscription#<old heading id> to where that part is now.
 */
export interface Section {
  href: string;
  label: string;
}

export const SECTIONS: Section[] = [
  { href: '/subscription', label: 'Seats & plan' },
  { href: '/subscription/integrations', label: 'API & integrations' },
  { href: '/subscription/audit', label: 'Audit log' },
  { href: '/policies', label: 'Seat policies' },
];

/** Old in-page anchors of /subscription and the section page that holds them now. */
export const MOVED: Record<string, string> = {
  'integrations-heading': '/subscription/integrations',
  'tokens-heading': '/subscription/integrations#tokens-heading',
  'webhooks-heading': '/subscription/integrations#webhooks-heading',
  'audit-heading': '/subscription/audit',
};
