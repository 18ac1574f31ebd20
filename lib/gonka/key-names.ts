const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

/**
 * The warm (ML operational) key's name: `key_name`, else `<host>-warm`. The keys role creates it under this name
 * and config.env's KEY_NAME names it, so both must come from here.
 */
export const warmKeyName = (v: { inventory_hostname: string; key_name?: string }): string => v.key_name ?? `${slug(v.inventory_hostname)}-warm`;

/** The cold (account) key's name: `cold_key_name`, else `<host>-cold`; the key the keys role creates and the grant signs with. */
export const coldKeyName = (v: { inventory_hostname: string; cold_key_name?: string }): string => v.cold_key_name ?? `${slug(v.inventory_hostname)}-cold`;
