/** What the users layout tells the pages in its detail pane. */
import { getContext, setContext } from 'svelte';

export interface UsersLayout {
  /** Whether the list is on screen beside the detail (tablets, desktops): headings step down. */
  readonly listVisible: boolean;
}

const KEY = Symbol('users-layout');

export const setUsersLayout = (layout: UsersLayout) => setContext(KEY, layout);
export const usersLayout = () => getContext<UsersLayout>(KEY);
