/**
 * Where each instance of a batch runs: a zone (by zone ID, stable across accounts) that offers its type, with
 * repeats spread across the offering zones so independent runs do not share one zone's hardware.
 */

/**
 * Whether a zone ID names one of the region's Availability Zones (`use1-az4`) rather than a Local or Wavelength
 * Zone (`use1-qro1-az1`, `use1-wl1-bos-wlz1`): offerings list those too where the account opted in, but a batch's
 * network and instances belong in the region's own zones.
 */
export function isAvailabilityZoneId(zoneId: string): boolean {
  return /^[a-z]+[0-9]+-az[0-9]+$/.test(zoneId);
}

/** One planned instance's zone. */
export interface ZoneChoice {
  /** Instance type. */
  instanceType: string;
  /** Repeat index. */
  repeat: number;
  /** Availability-zone ID, e.g. `use1-az4`. */
  zoneId: string;
}

/** Zone IDs for `repeats` instances of each type, round-robin over the zones offering it (sorted, so deterministic). */
export function chooseZones(
  offerings: Readonly<Record<string, readonly string[]>>,
  instanceTypes: readonly string[],
  repeats: number,
): ZoneChoice[] {
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new Error(`repeats must be a positive whole number, not ${repeats}`);
  return instanceTypes.flatMap((instanceType) => {
    const zones = [...new Set(offerings[instanceType] ?? [])].sort();
    if (zones.length === 0) throw new Error(`no zone in this region offers ${instanceType}`);
    return Array.from({ length: repeats }, (_, repeat) => ({
      instanceType,
      repeat,
      zoneId: zones[repeat % zones.length] as string,
    }));
  });
}

/** The next zone offering a type after `current` (for a capacity retry), or undefined when it is the only one. */
export function nextZone(offeringZones: readonly string[], current: string): string | undefined {
  const zones = [...new Set(offeringZones)].sort();
  if (zones.length < 2) return undefined;
  return zones[(zones.indexOf(current) + 1) % zones.length];
}

/** Every zone offering any of the types: the batch's network spans them all, so moving an instance never changes it. */
export function zonesOffering(
  offerings: Readonly<Record<string, readonly string[]>>,
  instanceTypes: readonly string[],
): string[] {
  return [...new Set(instanceTypes.flatMap((type) => offerings[type] ?? []))].sort();
}
