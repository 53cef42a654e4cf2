#include "http/HttpResponseParser.h"

#include "StreamBytes.h"

#include <QFile>
#include <QString>
#include <QTest>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace {

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(GPUDECK_FIXTURES_DIR "/http/") + name);
    if (!file.exists())
        return {};
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", qPrintable(file.fileName()));
    return file.readAll();
}

// Heap bytes in use; 0 where it cannot be told (other libcs, or a sanitizer's allocator).
qint64 heapInUse()
{
#ifdef __GLIBC__
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks + info.hblkhd);
#else
    return 0;
#endif
}

// Everything the parser reported, in one comparable piece.
struct Outcome
{
    int heads = 0;
    HttpResponseHead head;
    QByteArray body;
    int completes = 0;
    int upgrades = 0;
    QByteArray rest; // the raw stream after a 101: handed back, then fed by the caller
    bool failed = false;
    QString error;

    QByteArray describe() const
    {
        QByteArray text = "heads=" + QByteArray::number(heads)
                          + " status=" + QByteArray::number(head.status) + " reason=" + head.reason
                          + " keepAlive=" + QByteArray::number(head.keepAlive)
                          + " upgraded=" + QByteArray::number(head.upgraded) + " headers=[";
        for (const auto &header : head.headers)
            text += header.first + ':' + header.second + ';';
        text += "] body=" + body.toPercentEncoding() + " completes=" + QByteArray::number(completes)
                + " upgrades=" + QByteArray::number(upgrades) + " rest=" + rest.toPercentEncoding()
                + " failed=" + QByteArray::number(failed);
        return text;
    }
};

// Feeds input cut at the given offsets, as HttpReply does: once upgraded, later bytes bypass
// the parser. closeAtEnd: the peer closes after the last byte.
Outcome run(const QByteArray &input, QList<qsizetype> cuts, bool headRequest, bool closeAtEnd)
{
    Outcome out;
    HttpResponseParser parser(
        HttpResponseParser::Callbacks{[&out](const HttpResponseHead &head) {
                                          ++out.heads;
                                          out.head = head;
                                      },
                                      [&out](const char *data, qsizetype size) {
                                          out.body.append(data, size);
                                      },
                                      [&out]() { ++out.completes; },
                                      [&out](const QByteArray &rest) {
                                          ++out.upgrades;
                                          out.rest += rest;
                                      }});
    parser.reset(headRequest);
    cuts.append(input.size());
    qsizetype from = 0;
    for (const qsizetype cut : std::as_const(cuts)) {
        const QByteArray piece = input.mid(from, cut - from);
        from = cut;
        if (parser.isUpgraded()) {
            out.rest += piece;
            continue;
        }
        if (!parser.feed(piece)) {
            out.failed = true;
            out.error = parser.errorString();
            return out;
        }
    }
    if (closeAtEnd && !parser.finish()) {
        out.failed = true;
        out.error = parser.errorString();
    }
    return out;
}

} // namespace

class TestHttpResponseParser : public QObject
{
    Q_OBJECT

private slots:
    void fixtures_data();
    void fixtures();
    void splitAtEveryOffset_data() { fixtures_data(); }
    void splitAtEveryOffset();
    void splitAtEveryPairOfOffsets_data() { fixtures_data(); }
    void splitAtEveryPairOfOffsets();
    void byteByByte_data() { fixtures_data(); }
    void byteByByte();
    void noBodyWhateverTheLengthSays_data();
    void noBodyWhateverTheLengthSays();
    void upgradeHandsBackTheRestExactly();
    void resetForTheNextResponse();
    void malformed_data();
    void malformed();
    void failureIsSticky();
    void headerSectionLimit_data();
    void headerSectionLimit();
    void headerJustUnderTheLimitIsAccepted();
};

void TestHttpResponseParser::fixtures_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("headRequest");
    QTest::addColumn<bool>("closeAtEnd");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue");

    QTest::newRow("ping (real dockerd)") << QStringLiteral("ping") << false << false << 200 << true
                                         << QByteArray("api-version") << QByteArray("1.41");
    QTest::newRow("info, chunked (real dockerd)")
        << QStringLiteral("info-chunked") << false << false << 200 << true
        << QByteArray("Transfer-Encoding") << QByteArray("chunked");
    QTest::newRow("Content-Length body")
        << QStringLiteral("create-content-length") << false << false << 201 << true
        << QByteArray("Content-Length") << QByteArray("88");
    QTest::newRow("chunked with extensions and trailers")
        << QStringLiteral("chunked-extensions-trailers") << false << false << 200 << true
        << QByteArray("Trailer") << QByteArray("X-Checksum, X-Count");
    QTest::newRow("body to EOF") << QStringLiteral("body-to-eof") << false << true << 200 << false
                                 << QByteArray("Connection") << QByteArray("close");
    QTest::newRow("204 without a body") << QStringLiteral("delete-204") << false << false << 204
                                        << true << QByteArray("Ostype") << QByteArray("linux");
    QTest::newRow("304 without a body or length")
        << QStringLiteral("start-304") << false << false << 304 << true << QByteArray("Server")
        << QByteArray("Docker/20.10.24+dfsg1 (linux)");
    QTest::newRow("100-continue then 200")
        << QStringLiteral("continue-then-200") << false << false << 200 << true
        << QByteArray("Content-Length") << QByteArray("13");
    QTest::newRow("HEAD answer with a length")
        << QStringLiteral("head-ping") << true << false << 200 << true
        << QByteArray("Content-Length") << QByteArray("2");
    QTest::newRow("404 with the engine's message")
        << QStringLiteral("no-such-container-404") << false << false << 404 << true
        << QByteArray("Content-Type") << QByteArray("application/json");
    QTest::newRow("101 upgrade with the stream in the same buffer")
        << QStringLiteral("attach-101") << false << false << 101 << true << QByteArray("Upgrade")
        << QByteArray("tcp");
}

void TestHttpResponseParser::fixtures()
{
    QFETCH(QString, name);
    QFETCH(bool, headRequest);
    QFETCH(bool, closeAtEnd);
    QFETCH(int, status);
    QFETCH(bool, keepAlive);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);

    const QByteArray input = fixture(name + QStringLiteral(".http"));
    QVERIFY(!input.isEmpty());
    const QByteArray rest = fixture(name + QStringLiteral(".rest"));
    const Outcome out = run(input, {}, headRequest, closeAtEnd);
    QVERIFY2(!out.failed, qPrintable(out.error));
    QCOMPARE(out.heads, 1);
    QCOMPARE(out.head.status, status);
    QCOMPARE(out.head.keepAlive, keepAlive);
    QCOMPARE(out.head.header(headerName), headerValue);
    QCOMPARE(out.body, fixture(name + QStringLiteral(".body")));
    QCOMPARE(out.head.upgraded, status == 101);
    if (status == 101) {
        QCOMPARE(out.upgrades, 1);
        QCOMPARE(out.completes, 0);
        QCOMPARE(out.rest, rest);
    } else {
        QCOMPARE(out.upgrades, 0);
        QCOMPARE(out.completes, 1);
    }
}

void TestHttpResponseParser::splitAtEveryOffset()
{
    QFETCH(QString, name);
    QFETCH(bool, headRequest);
    QFETCH(bool, closeAtEnd);
    const QByteArray input = fixture(name + QStringLiteral(".http"));
    const QByteArray whole = run(input, {}, headRequest, closeAtEnd).describe();
    for (qsizetype cut = 0; cut <= input.size(); ++cut) {
        const QByteArray split = run(input, {cut}, headRequest, closeAtEnd).describe();
        QVERIFY2(split == whole,
                 qPrintable(QStringLiteral("split at %1:\n  %2\nwhole:\n  %3")
                                .arg(cut)
                                .arg(QString::fromLatin1(split), QString::fromLatin1(whole))));
    }
}

void TestHttpResponseParser::splitAtEveryPairOfOffsets()
{
    QFETCH(QString, name);
    QFETCH(bool, headRequest);
    QFETCH(bool, closeAtEnd);
    const QByteArray input = fixture(name + QStringLiteral(".http"));
    // All pairs of a large fixture would take minutes; a prime stride still crosses every kind
    // of boundary (status line, headers, chunk sizes, chunk data).
    const qsizetype step = input.size() > 400 ? 13 : 1;
    const QByteArray whole = run(input, {}, headRequest, closeAtEnd).describe();
    for (qsizetype a = 1; a < input.size(); a += step) {
        for (qsizetype b = a; b < input.size(); b += step) {
            const QByteArray split = run(input, {a, b}, headRequest, closeAtEnd).describe();
            if (split != whole)
                QFAIL(qPrintable(QStringLiteral("split at %1 and %2: %3")
                                     .arg(a)
                                     .arg(b)
                                     .arg(QString::fromLatin1(split))));
        }
    }
}

void TestHttpResponseParser::byteByByte()
{
    QFETCH(QString, name);
    QFETCH(bool, headRequest);
    QFETCH(bool, closeAtEnd);
    const QByteArray input = fixture(name + QStringLiteral(".http"));
    const Outcome whole = run(input, {}, headRequest, closeAtEnd);
    QVERIFY(!whole.failed);
    QCOMPARE(run(input, everyByte(input.size()), headRequest, closeAtEnd).describe(),
             whole.describe());
}

void TestHttpResponseParser::noBodyWhateverTheLengthSays_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");

    // Found by the fuzzer: llhttp reads a body for these when a length is given, and the 1xx
    // body came out as the final answer's.
    QTest::newRow("100 with a Content-Length, then 200")
        << QByteArray("HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
        << 200 << QByteArray("OK");
    QTest::newRow("304 describing the body it does not send")
        << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 120\r\n\r\n") << 304
        << QByteArray();
    QTest::newRow("204 with a Content-Length")
        << QByteArray("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n") << 204
        << QByteArray();
}

void TestHttpResponseParser::noBodyWhateverTheLengthSays()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    const Outcome whole = run(input, {}, false, false);
    QVERIFY2(!whole.failed, qPrintable(whole.error));
    QCOMPARE(whole.heads, 1);
    QCOMPARE(whole.head.status, status);
    QCOMPARE(whole.body, body);
    QCOMPARE(whole.completes, 1);
    for (qsizetype cut = 0; cut <= input.size(); ++cut)
        QCOMPARE(run(input, {cut}, false, false).describe(), whole.describe());
}

void TestHttpResponseParser::upgradeHandsBackTheRestExactly()
{
    // Cut right after the blank line, and inside the stream: the parser must hand back precisely
    // the bytes after the head in the buffer that finished it, nothing twice, nothing lost.
    const QByteArray input = fixture(QStringLiteral("attach-101.http"));
    const QByteArray stream = fixture(QStringLiteral("attach-101.rest"));
    const qsizetype headEnd = input.indexOf("\r\n\r\n") + 4;
    QCOMPARE(input.mid(headEnd), stream);

    const Outcome atBoundary = run(input, {headEnd}, false, false);
    QCOMPARE(atBoundary.upgrades, 1);
    QCOMPARE(atBoundary.rest, stream);

    int upgrades = 0;
    QByteArray rest;
    HttpResponseParser parser(
        HttpResponseParser::Callbacks{{}, {}, {}, [&](const QByteArray &bytes) {
                                          ++upgrades;
                                          rest = bytes;
                                      }});
    QVERIFY(parser.feed(input.left(headEnd + 5)));
    QVERIFY(parser.isUpgraded());
    QVERIFY(!parser.isComplete());
    QCOMPARE(upgrades, 1);
    QCOMPARE(rest, stream.left(5));
    // The connection is no longer HTTP: feeding it more is the caller's mistake.
    QVERIFY(!parser.feed(input.mid(headEnd + 5)));
    QVERIFY(parser.hasFailed());
}

void TestHttpResponseParser::resetForTheNextResponse()
{
    // A keep-alive connection: the same parser reads one answer after the other.
    QList<int> statuses;
    QByteArray body;
    int completes = 0;
    HttpResponseParser parser(HttpResponseParser::Callbacks{
        [&](const HttpResponseHead &head) { statuses.append(head.status); },
        [&](const char *data, qsizetype size) { body.append(data, size); },
        [&]() { ++completes; },
        {}});
    QVERIFY(parser.feed(fixture(QStringLiteral("ping.http"))));
    QVERIFY(parser.isComplete());
    parser.reset(true);
    QVERIFY(!parser.isComplete());
    QVERIFY(parser.feed(fixture(QStringLiteral("head-ping.http"))));
    QVERIFY(parser.isComplete());
    parser.reset();
    QVERIFY(parser.feed(fixture(QStringLiteral("create-content-length.http"))));
    QVERIFY(parser.isComplete());
    QCOMPARE(statuses, QList<int>({200, 200, 201}));
    QCOMPARE(completes, 3);
    QCOMPARE(body, fixture(QStringLiteral("ping.body"))
                       + fixture(QStringLiteral("create-content-length.body")));
}

void TestHttpResponseParser::malformed_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("closeAtEnd");

    const QByteArray ping = fixture(QStringLiteral("ping.http"));
    QTest::newRow("garbage status line")
        << QByteArray("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\r\n") << false;
    QTest::newRow("non-numeric status") << QByteArray("HTTP/1.1 2OO OK\r\n\r\n") << false;
    QTest::newRow("status below 100 (found by the fuzzer)")
        << QByteArray("HTTP/1.1 010 OK\r\n\r\n") << false;
    QTest::newRow("unknown protocol version") << QByteArray("HTTP/7.3 200 OK\r\n\r\n") << false;
    QTest::newRow("a request instead of a response")
        << QByteArray("GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n") << false;
    QTest::newRow("NUL inside a header value")
        << QByteArray("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nOK", 50) << false;
    QTest::newRow("two Content-Length values")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nOK")
        << false;
    QTest::newRow("chunked and Content-Length together")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
                      "3\r\nabc\r\n0\r\n\r\n")
        << false;
    QTest::newRow("bad chunk size") << QByteArray(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
                                    << false;
    QTest::newRow("chunk size overflow")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "ffffffffffffffffffff\r\nx\r\n")
        << false;
    QTest::newRow("chunk without its CRLF")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n")
        << false;
    QTest::newRow("truncated chunk, then close")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly six")
        << true;
    QTest::newRow("missing last chunk, then close")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n") << true;
    QTest::newRow("short Content-Length body, then close")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort") << true;
    QTest::newRow("head cut short, then close")
        << QByteArray("HTTP/1.1 200 OK\r\nApi-Vers") << true;
    QTest::newRow("nothing, then close") << QByteArray() << true;
    QTest::newRow("data after the complete response")
        << ping + QByteArray("HTTP/1.1 200 OK\r\n") << false;
    QTest::newRow("one stray byte after the response") << ping + QByteArray("\n") << false;
}

void TestHttpResponseParser::malformed()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, closeAtEnd);
    const Outcome whole = run(input, {}, false, closeAtEnd);
    QVERIFY2(whole.failed, whole.describe().constData());
    QVERIFY(!whole.error.isEmpty());
    // Wherever the bytes are cut, the answer is refused.
    for (qsizetype cut = 0; cut <= input.size(); ++cut) {
        const Outcome split = run(input, {cut}, false, closeAtEnd);
        QVERIFY2(split.failed, qPrintable(QStringLiteral("accepted when split at %1").arg(cut)));
        QVERIFY(!split.error.isEmpty());
    }
}

void TestHttpResponseParser::failureIsSticky()
{
    HttpResponseParser parser({});
    QVERIFY(!parser.feed(QByteArray("BOGUS\r\n")));
    const QString error = parser.errorString();
    QVERIFY(!error.isEmpty());
    QVERIFY(!parser.feed(fixture(QStringLiteral("ping.http"))));
    QVERIFY(!parser.finish());
    QCOMPARE(parser.errorString(), error);
    parser.reset();
    QVERIFY(!parser.hasFailed());
    QVERIFY(parser.feed(fixture(QStringLiteral("ping.http"))));
    QVERIFY(parser.isComplete());
}

void TestHttpResponseParser::headerSectionLimit_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("pieceSize");

    constexpr int kMiB = 1024 * 1024;
    const QByteArray bigValue = "HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(kMiB, 'v')
                                + "\r\nContent-Length: 0\r\n\r\n";
    const QByteArray bigName = "HTTP/1.1 200 OK\r\n" + QByteArray(kMiB, 'n') + ": 1\r\n\r\n";
    const QByteArray bigReason = "HTTP/1.1 200 " + QByteArray(kMiB, 'r') + "\r\n\r\n";
    QByteArray manyHeaders = "HTTP/1.1 200 OK\r\n";
    while (manyHeaders.size() < kMiB)
        manyHeaders += "a: b\r\n";
    manyHeaders += "\r\n";
    QByteArray tinyHeaders = "HTTP/1.1 200 OK\r\n";
    while (tinyHeaders.size() < kMiB)
        tinyHeaders += "a:\r\n";
    tinyHeaders += "\r\n";

    for (const int piece : {4096, kMiB + 4096}) {
        const QByteArray how = piece > kMiB ? " in one piece" : " in 4 KiB pieces";
        QTest::newRow(QByteArray("1 MiB header value" + how).constData()) << bigValue << piece;
        QTest::newRow(QByteArray("1 MiB header name" + how).constData()) << bigName << piece;
        QTest::newRow(QByteArray("1 MiB reason phrase" + how).constData()) << bigReason << piece;
        QTest::newRow(QByteArray("1 MiB of small headers" + how).constData())
            << manyHeaders << piece;
        QTest::newRow(QByteArray("1 MiB of empty headers" + how).constData())
            << tinyHeaders << piece;
    }
}

void TestHttpResponseParser::headerSectionLimit()
{
    QFETCH(QByteArray, input);
    QFETCH(int, pieceSize);

    const qint64 before = heapInUse();
    qint64 held = 0;
    bool headSeen = false;
    qsizetype refusedAt = -1;
    {
        HttpResponseParser parser(HttpResponseParser::Callbacks{
            [&](const HttpResponseHead &) { headSeen = true; }, {}, {}, {}});
        for (qsizetype from = 0; from < input.size(); from += pieceSize) {
            if (!parser.feed(input.constData() + from,
                             qMin<qsizetype>(pieceSize, input.size() - from))) {
                refusedAt = from;
                break;
            }
        }
        held = heapInUse() - before;
        QVERIFY(parser.hasFailed());
        QVERIFY2(parser.errorString().contains(QStringLiteral("headers")),
                 qPrintable(parser.errorString()));
    }
    QVERIFY(!headSeen);
    QVERIFY(refusedAt >= 0);
    // Refused well before the whole MiB went in (when it comes in pieces)...
    if (pieceSize < input.size())
        QVERIFY2(refusedAt <= 2 * HttpResponseParser::kMaxHeaderBytes,
                 qPrintable(QStringLiteral("refused only after %1 bytes").arg(refusedAt)));
    // ...and never holding much more than the limit, whatever the shape of the headers.
    QVERIFY2(held < 4 * HttpResponseParser::kMaxHeaderBytes,
             qPrintable(QStringLiteral("the parser holds %1 bytes").arg(held)));
}

void TestHttpResponseParser::headerJustUnderTheLimitIsAccepted()
{
    const QByteArray input = "HTTP/1.1 200 OK\r\nX-Big: "
                             + QByteArray(HttpResponseParser::kMaxHeaderBytes - 1024, 'v')
                             + "\r\nContent-Length: 2\r\n\r\nOK";
    const Outcome out = run(input, {}, false, false);
    QVERIFY2(!out.failed, qPrintable(out.error));
    QCOMPARE(out.completes, 1);
    QCOMPARE(out.body, QByteArray("OK"));
}

QTEST_GUILESS_MAIN(TestHttpResponseParser)
#include "tst_httpresponseparser.moc"
