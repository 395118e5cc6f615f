package dev.ncps.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ncps.lock.RedisSettings;
import dev.ncps.lru.Schedule;
import dev.ncps.upstream.UpstreamSpec;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {
    @Test
    void goDurationsParseLikeGo() throws Exception {
        assertThat(GoDuration.parse("300ms")).isEqualTo(Duration.ofMillis(300));
        assertThat(GoDuration.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.parse("10us")).isEqualTo(Duration.ofNanos(10_000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5 m", "5min", "-5m", "m", "1h30", "1d", "5M"})
    void malformedDurationsAreRejectedWithTheExpectedForm(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text))
                .hasMessage("expected a Go duration: numbers with units ns, us, ms, s, m or h, e.g. 300ms, 5m, 1h30m");
    }

    @Test
    void sizesAreBase1024WithOneUnitLetter() throws Exception {
        assertThat(SizeUnits.parse("100G")).isEqualTo(100L << 30);
        assertThat(SizeUnits.parse("1k")).isEqualTo(1024);
        assertThat(SizeUnits.parse("7B")).isEqualTo(7);
        assertThat(SizeUnits.parse("2T")).isEqualTo(2L << 40);
    }

    @Test
    void zeroNeedsNoUnit() throws Exception {
        assertThat(SizeUnits.parse("0")).isZero();
        assertThat(SizeUnits.parse("0M")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"5GB", "1.5G", "500", "00", "G", "-1G", "10 G", "99999999999T"})
    void badSizesAreRejected(String text) {
        assertThatThrownBy(() -> SizeUnits.parse(text))
                .hasMessageStartingWith("expected a whole number followed by one unit B, K, M, G or T (base 1024), e.g. 100G");
    }

    @ParameterizedTest
    @ValueSource(strings = {":6379", "redis", "redis:", "redis:0", "redis:65536", "redis:port", "::1:6379", "[::1:6379"})
    void redisAddressesFollowTheLockBackendsOneRule(String bad) throws Exception {
        assertThat(ValueTypes.REDIS_ADDRESS.parse("[::1]:6380")).isEqualTo("[::1]:6380");
        assertThatThrownBy(() -> ValueTypes.REDIS_ADDRESS.parse(bad)).hasMessage("expected " + RedisSettings.ADDRESS_FORM);
    }

    @Test
    void upstreamUrlKeepsPathAndTakesPriorityOut() throws Exception {
        UpstreamSpec url = UpstreamUrl.parse("HTTPS://cache.example.com:8443/sub?priority=30");
        assertThat(url.url()).hasToString("https://cache.example.com:8443/sub");
        assertThat(url.priorityOverride()).isEqualTo(30);
        assertThat(url.ownsKeyName("cache.example.com-12")).isTrue();
        assertThat(url.ownsKeyName("cache.example.com-")).isFalse();
        assertThat(url.ownsKeyName("example.com-1")).isFalse();
        assertThat(UpstreamUrl.parse("http://h").priorityOverride()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cache.nixos.org", "ftp://h", "https://", "https:///path", "https://h?priority=x", "https://h?priority=-1",
            "https://h?priority=65536", "https://h?priority=30&x=1", "https://h?token=1", "https://h#f", "http:h",
            "http://under_score.example", "mailto:cache@example.com"})
    void badUpstreamUrlsAreRejected(String text) {
        assertThatThrownBy(() -> UpstreamUrl.parse(text)).hasMessageStartingWith("expected " + UpstreamUrl.FORM);
    }

    @Test
    void httpUrlsComeOutWithALowerCaseScheme() throws Exception {
        assertThat(ValueTypes.HTTP_URL.parse("HTTPS://S3.example:9000/x?y#z")).isEqualTo(java.net.URI.create("https://S3.example:9000/x?y#z"));
        assertThat(ValueTypes.HTTP_URL.parse("http://h")).isEqualTo(java.net.URI.create("http://h"));
        assertThatThrownBy(() -> ValueTypes.HTTP_URL.parse("ftp://h")).hasMessage("expected " + ValueTypes.HTTP_URL_FORM);
    }

    @Test
    void publicKeysNeedANameAnd32Bytes() throws Exception {
        String good = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
        assertThat(ValueTypes.PUBLIC_KEY.parse(good).toNixString()).isEqualTo(good);
        for (String bad : new String[] {"6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=", ":6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=",
                "k-1:AAAA", "k-1:not base64!", "k 1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="}) {
            assertThatThrownBy(() -> ValueTypes.PUBLIC_KEY.parse(bad)).hasMessage("expected " + ValueTypes.PUBLIC_KEY_FORM);
        }
    }

    @Test
    void schedulesAcceptCronDescriptorsAndEvery() throws Exception {
        ZonedDateTime t = ZonedDateTime.of(2026, 1, 1, 10, 15, 0, 0, ZoneId.of("UTC"));
        assertThat(ScheduleText.parse("0 2 * * *").next(t)).hasValue(t.withHour(2).withMinute(0).plusDays(1));
        assertThat(ScheduleText.parse("@daily").next(t)).hasValue(t.withHour(0).withMinute(0).plusDays(1));
        assertThat(ScheduleText.parse("@hourly").next(t)).hasValue(t.withHour(11).withMinute(0));
        assertThat(ScheduleText.parse("@every 1h30m").next(t)).hasValue(t.plusMinutes(90));
        for (String bad : new String[] {"0 2 * *", "* * * * * *", "@sometimes", "61 * * * *", "@every 0s", "@every soon"}) {
            assertThatThrownBy(() -> ScheduleText.parse(bad)).as(bad).hasMessageStartingWith("expected " + ScheduleText.FORM);
        }
    }

    @Test
    void aTimeZonePrefixRunsTheScheduleInThatZone() throws Exception {
        ZonedDateTime utc = ZonedDateTime.of(2026, 1, 1, 10, 15, 0, 0, ZoneId.of("UTC"));
        // 02:00 in Tokyo (UTC+9) is 17:00 UTC the day before; the next one after 10:15 UTC is at 17:00 UTC.
        for (String prefix : new String[] {"TZ=", "CRON_TZ="}) {
            Schedule tokyo = ScheduleText.parse(prefix + "Asia/Tokyo 0 2 * * *");
            assertThat(tokyo.next(utc)).get().extracting(ZonedDateTime::toInstant)
                    .isEqualTo(utc.withHour(17).withMinute(0).toInstant());
            assertThat(tokyo.text()).isEqualTo(prefix + "Asia/Tokyo 0 2 * * *");
        }
        assertThat(ScheduleText.parse("CRON_TZ=UTC @daily").next(utc)).get().extracting(ZonedDateTime::toInstant)
                .isEqualTo(utc.withHour(0).withMinute(0).plusDays(1).toInstant());
        assertThatThrownBy(() -> ScheduleText.parse("TZ=Mars/Olympus 0 2 * * *"))
                .hasMessage("expected " + ScheduleText.FORM + " (unknown time zone 'Mars/Olympus')");
        assertThatThrownBy(() -> ScheduleText.parse("TZ=UTC")).hasMessageStartingWith("expected " + ScheduleText.FORM);
    }

    @Test
    void timezonesAcceptLocalUtcAndRegionNames() throws Exception {
        assertThat(ValueTypes.TIMEZONE.parse("Local")).isEqualTo(ZoneId.systemDefault());
        assertThat(ValueTypes.TIMEZONE.parse("Europe/Berlin")).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThatThrownBy(() -> ValueTypes.TIMEZONE.parse("Mars/Olympus")).hasMessage("expected " + ValueTypes.TIMEZONE_FORM);
    }

    @Test
    void hostnamesHaveNoSchemeOrSlash() throws Exception {
        assertThat(ValueTypes.HOSTNAME.parse("cache.example.com")).isEqualTo("cache.example.com");
        for (String bad : new String[] {"https://cache.example.com", "cache.example.com/x", "", "a b"}) {
            assertThatThrownBy(() -> ValueTypes.HOSTNAME.parse(bad)).hasMessage("expected " + ValueTypes.HOSTNAME_FORM);
        }
    }

    @Test
    void booleansAcceptGoSpellings() throws Exception {
        assertThat(ValueTypes.BOOLEAN.parse("true")).isTrue();
        assertThat(ValueTypes.BOOLEAN.parse("1")).isTrue();
        assertThat(ValueTypes.BOOLEAN.parse("False")).isFalse();
        assertThatThrownBy(() -> ValueTypes.BOOLEAN.parse("yes")).hasMessage("expected true or false");
    }

    @Test
    void listenAddressesFollowGoHostPort() throws Exception {
        assertThat(HostPort.parseListen(":8501")).isEqualTo(new HostPort("", 8501));
        assertThat(HostPort.parseListen("[::1]:80")).isEqualTo(new HostPort("::1", 80));
        assertThatThrownBy(() -> HostPort.parseListen("8501")).hasMessage("expected " + HostPort.LISTEN_FORM);
    }
}
