package io.p2pshare.bench;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Where a run happened: cores, JVM and the heap it had (figures only compare on one machine),
 * and the 1-minute load average when the result was made (a shared machine skews everything).
 */
public record MachineInfo(
    int cores, String jvmVersion, String jvmVendor, String os, long maxHeapBytes,
    List<String> heapFlags, double loadAverage) {

  public static MachineInfo current() {
    List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("-Xm") || a.startsWith("-Xs") || a.startsWith("-XX:")
            && (a.contains("Heap") || a.contains("GC") || a.contains("RAM")))
        .toList();
    return new MachineInfo(
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"),
        Runtime.getRuntime().maxMemory(),
        flags,
        Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0);
  }
}
