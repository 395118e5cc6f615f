package dev.ncps.cache;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class NarInfoMemoTest {
    private final AtomicLong now = new AtomicLong();

    private static byte[] text(int length) {
        return new byte[length];
    }

    @Test
    void theEntriesNeverTakeMoreThanTheBoundAndAFullMemoStartsOver() {
        long entry = NarInfoMemo.ENTRY_OVERHEAD + 1000;
        NarInfoMemo memo = new NarInfoMemo(3 * entry, 1_000, now::get);
        for (int i = 0; i < 3; i++) memo.put("h" + i, text(1000));
        assertThat(memo.bytes()).isEqualTo(3 * entry);
        assertThat(memo.get("h0")).hasSize(1000);

        memo.put("h3", text(1000));

        assertThat(memo.bytes()).isEqualTo(entry);
        assertThat(memo.get("h0")).isNull();
        assertThat(memo.get("h3")).hasSize(1000);
    }

    @Test
    void replacingRemovingAndExpiringGiveTheirBytesBack() {
        NarInfoMemo memo = new NarInfoMemo(1 << 20, 1_000, now::get);
        memo.put("a", text(500));
        memo.put("a", text(200));
        memo.put("b", text(300));
        assertThat(memo.bytes()).isEqualTo(2L * NarInfoMemo.ENTRY_OVERHEAD + 500);

        memo.remove("a");
        assertThat(memo.bytes()).isEqualTo(NarInfoMemo.ENTRY_OVERHEAD + 300);

        now.addAndGet(1_001);
        assertThat(memo.get("b")).isNull();
        assertThat(memo.bytes()).isZero();
    }

    @Test
    void zeroBytesKeepsNothingAndATextLargerThanTheBoundIsNotKept() {
        NarInfoMemo off = new NarInfoMemo(0, 1_000, now::get);
        off.put("a", text(10));
        assertThat(off.get("a")).isNull();

        NarInfoMemo small = new NarInfoMemo(NarInfoMemo.ENTRY_OVERHEAD + 100, 1_000, now::get);
        small.put("a", text(50));
        small.put("big", text(101));
        assertThat(small.get("big")).isNull();
        assertThat(small.get("a")).hasSize(50);
    }
}
