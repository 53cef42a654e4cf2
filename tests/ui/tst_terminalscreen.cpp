#include "terminal/TerminalScreen.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QTest>

// The plain-line shortcut of TerminalScreen (a flood of plain lines goes into the scrollback
// without libvterm scrolling for each) against libvterm alone: random mixes of plain lines,
// escape sequences, charsets, colours, scroll regions, the alternate screen and resizes, fed
// in the same random pieces to two screens, one with the shortcut off, must leave the same cells.
// GPUDECK_TEST_SEEDS=N runs N seeds of each size (a fuzzing run). Resizes come after a reset, so
// that the shortcut meets fresh screens; shrinkingUnderAScrollRegion covers what a resize without
// one did to libvterm 0.1.4.
class TestTerminalScreen : public QObject
{
    Q_OBJECT

private slots:
    void shortcutMatchesLibvterm_data();
    void shortcutMatchesLibvterm();
    void longFloodKeepsTheNewestLines();
    void shrinkingUnderAScrollRegion();
    void largeFeedsAreGatheredInOrder();

private:
    static void settle(TerminalScreen &screen);
    static QString difference(const TerminalScreen &a, const TerminalScreen &b);
};

void TestTerminalScreen::settle(TerminalScreen &screen)
{
    while (screen.pendingBytes() > 0)
        QCoreApplication::processEvents();
}

QString TestTerminalScreen::difference(const TerminalScreen &a, const TerminalScreen &b)
{
    if (a.cursor() != b.cursor())
        return QStringLiteral("cursor (%1,%2) against (%3,%4)")
            .arg(a.cursor().x())
            .arg(a.cursor().y())
            .arg(b.cursor().x())
            .arg(b.cursor().y());
    if (a.scrollbackSize() != b.scrollbackSize())
        return QStringLiteral("scrollback %1 lines against %2")
            .arg(a.scrollbackSize())
            .arg(b.scrollbackSize());
    for (int row = -a.scrollbackSize(); row < a.rows(); ++row) {
        for (int column = 0; column < a.columns(); ++column) {
            const TerminalScreen::Cell x = a.cell(row, column);
            const TerminalScreen::Cell y = b.cell(row, column);
            if (x.text != y.text || x.width != y.width || x.foreground != y.foreground
                || x.background != y.background || x.bold != y.bold || x.italic != y.italic
                || x.underline != y.underline || x.reverse != y.reverse || x.strike != y.strike)
                return QStringLiteral("row %1 column %2: \"%3\" against \"%4\" (line \"%5\" "
                                      "against \"%6\")")
                    .arg(row)
                    .arg(column)
                    .arg(x.text, y.text, a.lineText(row), b.lineText(row));
        }
    }
    return {};
}

namespace {

QByteArray plainLine(QRandomGenerator &random, int columns, const QByteArray &alphabet)
{
    // Mostly plain (shorter than the screen), now and then as wide as it or wider.
    const int length = int(random.bounded(columns + 3));
    QByteArray line;
    for (int i = 0; i < length; ++i)
        line += alphabet.at(int(random.bounded(int(alphabet.size()))));
    return line + "\r\n";
}

QByteArray randomPiece(QRandomGenerator &random, int rows, int columns)
{
    static const QList<QByteArray> sequences = {
        "\x1b[0m",
        "\x1b[1;31m",
        "\x1b[7m",
        "\x1b[44m",
        "\x1b[38;5;208m",
        "\x1b[48;2;1;2;3m",
        "\x1b[4;3m",
        "\x1b(0",
        "\x1b(B",
        "\x1b)0\x0e",
        "\x0f",
        "\x1b(A",
        "\x1b[2J",
        "\x1b[H",
        "\x1b[K",
        "\x1b[5;10r",
        "\x1b[r",
        "\x1b[?1049h",
        "\x1b[?1049l",
        "\x1b[4h",
        "\x1b[4l",
        "\x1b[20h",
        "\x1b[20l",
        "\x1b[?7l",
        "\x1b[?7h",
        "\x1b#6",
        "\x1b[3;4H",
        "\x1b[99;1H",
        "\t",
        "\n",
        "\r",
        "\x1b[S",
        "\x1b[2L",
        "e\xcc\x81",
        "\xe4\xb8\xad",
        "\x1b]0;title\x07",
        "\x1b[?69h\x1b[2;4s",
        "\x1b[?69l",
        "\x1b",
        "\x1b[",
        "\x1bN",
        "\x1b[1@",
        "\x1b[?6h",
        "\x1b[?6l",
    };
    const QByteArray letters = "abcdefghijklmnopqrstuvwxyz0123456789";
    QByteArray printable;
    for (char c = 0x20; c < 0x7f; ++c)
        printable += c;
    const int kind = int(random.bounded(10));
    QByteArray out;
    if (kind < 3) {
        out = sequences.at(int(random.bounded(int(sequences.size()))));
    } else if (kind < 5) {
        out = plainLine(random, columns, random.bounded(2) ? letters : printable);
    } else if (kind < 7) {
        // A run of the same line, as `yes` writes it.
        const QByteArray line = plainLine(random, columns, letters);
        const int count = int(random.bounded(rows * 3 + 40));
        for (int i = 0; i < count; ++i)
            out += line;
    } else if (kind < 9) {
        // A run of different lines, now and then one with a byte not seen before.
        const int count = int(random.bounded(rows * 3 + 40));
        for (int i = 0; i < count; ++i)
            out += plainLine(random, columns, i % 17 == 16 ? printable : letters);
    } else {
        out = letters.left(int(random.bounded(int(letters.size())))); // a line not ended yet
    }
    return out;
}

} // namespace

void TestTerminalScreen::shortcutMatchesLibvterm_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("columns");
    QTest::addColumn<quint32>("seed");
    const quint32 seeds = qEnvironmentVariableIntValue("GPUDECK_TEST_SEEDS");
    for (quint32 seed = 1; seed <= std::max(6U, seeds); ++seed) {
        QTest::addRow("5x20 seed %u", seed) << 5 << 20 << seed;
        QTest::addRow("24x80 seed %u", seed) << 24 << 80 << seed;
    }
    QTest::addRow("2x12 seed 7") << 2 << 12 << 7U;
    QTest::addRow("1x10 seed 8") << 1 << 10 << 8U;
}

void TestTerminalScreen::shortcutMatchesLibvterm()
{
    QFETCH(int, rows);
    QFETCH(int, columns);
    QFETCH(quint32, seed);
    QRandomGenerator random(seed);
    TerminalScreen fast(rows, columns);
    TerminalScreen plain(rows, columns);
    plain.setPlainLineShortcut(false);
    for (int step = 0; step < 400; ++step) {
        QByteArray bytes = randomPiece(random, rows, columns);
        if (random.bounded(40) == 0) {
            const int r = std::max(1, rows + int(random.bounded(5)) - 2);
            const int c = std::max(4, columns + int(random.bounded(9)) - 4);
            // A reset first, so that the shortcut meets a fresh screen after the resize.
            for (TerminalScreen *screen : {&fast, &plain}) {
                screen->feed("\x1b"
                             "c");
                settle(*screen);
            }
            fast.resize(r, c);
            plain.resize(r, c);
        }
        // The same bytes to both, cut into the same pieces at random places.
        qsizetype at = 0;
        while (at < bytes.size()) {
            const qsizetype piece = random.bounded(3) == 0 ? 1 + random.bounded(7)
                                                           : 1 + random.bounded(8000);
            fast.feed(bytes.mid(at, piece));
            plain.feed(bytes.mid(at, piece));
            at += piece;
        }
        if (step % 25 == 24 || step == 399) {
            settle(fast);
            settle(plain);
            const QString different = difference(fast, plain);
            QVERIFY2(different.isEmpty(),
                     qPrintable(QStringLiteral("step %1: %2").arg(step).arg(different)));
        }
    }
    QCOMPARE(plain.linesSkipped(), 0);
    if (rows > 1 && seed <= 6)
        QVERIFY(fast.linesSkipped() > 0); // the shortcut was taken
}

void TestTerminalScreen::longFloodKeepsTheNewestLines()
{
    // More lines in one go than the scrollback keeps: the oldest go, the newest stay in order.
    TerminalScreen fast(10, 40);
    TerminalScreen plain(10, 40);
    plain.setPlainLineShortcut(false);
    QByteArray bytes = "\x1b[1;33mbefore\r\n";
    for (int i = 0; i < TerminalScreen::maxScrollback() + 500; ++i)
        bytes += QByteArray::number(i % 1000) + "\r\n";
    for (TerminalScreen *screen : {&fast, &plain}) {
        screen->feed(bytes);
        settle(*screen);
    }
    QVERIFY(fast.linesSkipped() > TerminalScreen::maxScrollback());
    QCOMPARE(fast.scrollbackSize(), TerminalScreen::maxScrollback());
    QVERIFY(fast.cell(-1, 0).bold);
    const QString different = difference(fast, plain);
    QVERIFY2(different.isEmpty(), qPrintable(different));
}

// A program's scrolling region, the window made shorter than the region, then output
// that scrolls: libvterm 0.1.4 kept the old bottom row and moved its line records past the end
// of the shorter screen's (valgrind: invalid write; then free() aborted). The screen goes on
// with the whole screen as its region, the lines in place, the cursor where it was.
void TestTerminalScreen::shrinkingUnderAScrollRegion()
{
    for (int round = 0; round < 20; ++round) {
        TerminalScreen screen(24, 80);
        screen.feed("\x1b[5;20r\x1b[10;3H");
        settle(screen);
        // Shorter than the region's top in some rounds, than its bottom in all.
        const int rows = 2 + round % 8;
        screen.resize(rows, 40 + round);
        QCOMPARE(screen.cursor(), QPoint(2, std::min(9, rows - 1)));
        QByteArray lines;
        for (int i = 0; i < 60; ++i)
            lines += "line " + QByteArray::number(i) + "\r\n";
        screen.feed(lines + "\x1b#6wide");
        settle(screen);
        QCOMPARE(screen.lineText(screen.rows() - 1), QStringLiteral("wide"));
        QCOMPARE(screen.lineText(screen.rows() - 2), QStringLiteral("line 59"));
    }
}

// A large read waits a few milliseconds for the reads after it, to be parsed with them in longer
// runs of plain lines; a small one is on the screen when feed() returns, unless it comes while a
// large one waits: then it waits too, behind it.
void TestTerminalScreen::largeFeedsAreGatheredInOrder()
{
    TerminalScreen screen(10, 40);
    screen.feed("ready\r\n");
    QCOMPARE(screen.pendingBytes(), 0);
    QCOMPARE(screen.lineText(0), QStringLiteral("ready"));
    QByteArray flood;
    for (int i = 0; i < 1000; ++i)
        flood += "line " + QByteArray::number(i) + "\r\n";
    screen.feed(flood);
    QVERIFY(screen.pendingBytes() > 0);
    screen.feed("tail\r\n");
    QCOMPARE(screen.pendingBytes(), flood.size() + 6);
    QTRY_COMPARE_WITH_TIMEOUT(screen.pendingBytes(), 0, 5000);
    QCOMPARE(screen.lineText(8), QStringLiteral("tail"));
    QCOMPARE(screen.lineText(7), QStringLiteral("line 999"));
    QCOMPARE(screen.lineText(0), QStringLiteral("line 992"));
    QCOMPARE(screen.lineText(-1), QStringLiteral("line 991"));
    QVERIFY(screen.linesSkipped() > 0);
}

QTEST_GUILESS_MAIN(TestTerminalScreen)
#include "tst_terminalscreen.moc"
