package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ncps.upstream.Netrc.Credentials;
import org.junit.jupiter.api.Test;

class NetrcTest {

    static Netrc parse(String text) throws Netrc.ParseException {
        return Netrc.parse(text, "netrc");
    }

    @Test
    void tokensMaySpanLinesAndShareThem() throws Exception {
        Netrc netrc = parse("machine a.example\n  login alice\n  password one machine b.example login bob password two");

        assertThat(netrc.credentialsFor("a.example")).contains(new Credentials("alice", "one"));
        assertThat(netrc.credentialsFor("b.example")).contains(new Credentials("bob", "two"));
        assertThat(netrc.credentialsFor("c.example")).isEmpty();
    }

    @Test
    void theDefaultEntryAppliesToOtherHostsOnly() throws Exception {
        Netrc netrc = parse("default login anon password guest\nmachine a.example login alice password one\n");

        assertThat(netrc.credentialsFor("a.example")).contains(new Credentials("alice", "one"));
        assertThat(netrc.credentialsFor("elsewhere")).contains(new Credentials("anon", "guest"));
    }

    @Test
    void hostNamesMatchCaseInsensitivelyAndTheFirstEntryWins() throws Exception {
        Netrc netrc = parse("machine Cache.Example login first password 1\nmachine cache.example login second password 2");

        assertThat(netrc.credentialsFor("cache.EXAMPLE")).contains(new Credentials("first", "1"));
    }

    @Test
    void commentsMacrosAndAccountsAreSkipped() throws Exception {
        Netrc netrc = parse("""
                # personal credentials
                machine a.example login alice account acct password one # trailing comment
                macdef init
                cd /pub
                machine fake login mallory password evil

                machine b.example login bob password two
                """);

        assertThat(netrc.credentialsFor("a.example")).contains(new Credentials("alice", "one"));
        assertThat(netrc.credentialsFor("fake")).isEmpty();
        assertThat(netrc.credentialsFor("b.example")).contains(new Credentials("bob", "two"));
    }

    @Test
    void quotedTokensMayHoldSpacesAndEscapes() throws Exception {
        Netrc netrc = parse("machine a.example login \"alice smith\" password \"pa ss\\\"word\"");

        assertThat(netrc.credentialsFor("a.example")).contains(new Credentials("alice smith", "pa ss\"word"));
    }

    @Test
    void aMissingLoginOrPasswordIsEmpty() throws Exception {
        assertThat(parse("machine a.example password token").credentialsFor("a.example"))
                .contains(new Credentials("", "token"));
    }

    @Test
    void errorsNameTheLine() {
        assertThatThrownBy(() -> parse("machine a login x\n\npasswd y"))
                .hasMessage("netrc line 3: unknown keyword 'passwd' (expected machine, default, login, password, account or macdef)");
        assertThatThrownBy(() -> parse("login x")).hasMessageContaining("line 1: 'login' before any 'machine'");
        assertThatThrownBy(() -> parse("machine a\nlogin")).hasMessageContaining("line 2: 'login' without a value");
        assertThatThrownBy(() -> parse("machine a login x login y")).hasMessageContaining("'login' given twice");
        assertThatThrownBy(() -> parse("machine a password \"open")).hasMessageContaining("unterminated quoted token");
    }

    @Test
    void thePasswordIsNotPrinted() {
        assertThat(new Credentials("alice", "secret").toString()).doesNotContain("secret");
    }
}
