const slabDoubles = 64 * 1024;
let slab = new Float64Array(0);
let slabUsed = 0;

/**
 * A zeroed Float64Array of n doubles carved from a shared 512 KB slab: a cycle's score table
 * then costs no ArrayBuffer of its own (an allocation outside the heap, zeroed, and counted as
 * external memory that hastens GC). A slab lives while any table carved from it does.
 */
export function slabAlloc(n: number): Float64Array {
  if (n > slabDoubles / 4) return new Float64Array(n);
  if (slabUsed + n > slab.length) {
    slab = new Float64Array(slabDoubles);
    slabUsed = 0;
  }
  const a = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return a;
}
