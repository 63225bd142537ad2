package io.p2pshare.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {
  @Test
  void perAddressCapComesBeforeTheTotalAndSlotsComeBack() throws Exception {
    InetAddress a = InetAddress.getByName("10.0.0.1");
    InetAddress b = InetAddress.getByName("10.0.0.2");
    ConnectionLimits l = new ConnectionLimits(3, 2);
    assertEquals(ConnectionLimits.Outcome.ACCEPTED, l.tryAcquire(a));
    assertEquals(ConnectionLimits.Outcome.ACCEPTED, l.tryAcquire(a));
    assertEquals(ConnectionLimits.Outcome.PER_ADDRESS, l.tryAcquire(a));
    assertEquals(2, l.open(), "a refusal takes no slot");
    assertEquals(ConnectionLimits.Outcome.ACCEPTED, l.tryAcquire(b));
    assertEquals(ConnectionLimits.Outcome.TOTAL, l.tryAcquire(b));
    l.release(a);
    assertEquals(1, l.open(a));
    assertEquals(ConnectionLimits.Outcome.ACCEPTED, l.tryAcquire(b));
    assertEquals(2, l.open(b));
    l.release(a);
    l.release(b);
    l.release(b);
    assertEquals(0, l.open());
    assertEquals(0, l.open(a));
  }
}
