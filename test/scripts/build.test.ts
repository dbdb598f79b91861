import { expect, test } from "bun:test";
import { compileTarget } from "../../scripts/build.ts";

test("the baseline target is chosen only for x64 CPUs without AVX2", () => {
  const withAvx2 = "processor\t: 0\nflags\t\t: fpu vme sse sse2 avx avx2 bmi2\n";
  const without = "processor\t: 0\nflags\t\t: fpu vme sse sse2 ssse3 sse4_1 sse4_2 avx\n";
  expect(compileTarget(withAvx2, "x64")).toBeNull();
  expect(compileTarget(without, "x64")).toBe("bun-linux-x64-baseline");
  expect(compileTarget(without, "arm64")).toBeNull();
  expect(compileTarget(null, "x64")).toBeNull();
});
