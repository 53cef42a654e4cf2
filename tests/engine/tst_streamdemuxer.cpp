#include "engine/OutputDecoder.h"
#include "engine/StreamDemuxer.h"

#include "StreamBytes.h"

#include <QList>
#include <QString>
#include <QTest>

using Channel = StreamDemuxer::Channel;

namespace {

struct Frame
{
    int type;
    QByteArray payload;
};

QByteArray encode(const QList<Frame> &frames)
{
    QByteArray out;
    for (const Frame &f : frames)
        out += frame(f.type, f.payload);
    return out;
}

// What came out, with neighbouring pieces of one channel joined: a frame may arrive in pieces,
// but order across channels and every byte must be the same however the input was cut.
struct Transcript
{
    QList<QPair<Channel, QByteArray>> pieces;
    QByteArray stdoutBytes;
    QByteArray stderrBytes;
    QByteArray daemonBytes;
    bool failed = false;
    bool atBoundary = true;

    void add(Channel channel, const char *data, qsizetype size)
    {
        if (size <= 0)
            return;
        if (!pieces.isEmpty() && pieces.last().first == channel)
            pieces.last().second.append(data, size);
        else
            pieces.append({channel, QByteArray(data, size)});
        switch (channel) {
        case Channel::Stdout: stdoutBytes.append(data, size); break;
        case Channel::Stderr: stderrBytes.append(data, size); break;
        case Channel::DaemonError: daemonBytes.append(data, size); break;
        }
    }

    bool operator==(const Transcript &other) const
    {
        return pieces == other.pieces && failed == other.failed && atBoundary == other.atBoundary;
    }
};

Transcript demux(const QByteArray &input, QList<qsizetype> cuts, bool tty = false)
{
    Transcript out;
    StreamDemuxer demuxer(tty, [&out](Channel channel, const char *data, qsizetype size) {
        out.add(channel, data, size);
    });
    cuts.append(input.size());
    qsizetype from = 0;
    for (const qsizetype cut : std::as_const(cuts)) {
        if (!demuxer.feed(input.constData() + from, cut - from)) {
            out.failed = true;
            break;
        }
        from = cut;
    }
    out.atBoundary = demuxer.atFrameBoundary();
    return out;
}

} // namespace

Q_DECLARE_METATYPE(QList<Frame>)

class TestStreamDemuxer : public QObject
{
    Q_OBJECT

private slots:
    void frames_data();
    void frames();
    void splitAtEveryOffset_data() { frames_data(); }
    void splitAtEveryOffset();
    void splitAtEveryPairOfOffsets_data() { frames_data(); }
    void splitAtEveryPairOfOffsets();
    void byteByByte_data() { frames_data(); }
    void byteByByte();
    void unknownTypeFails_data();
    void unknownTypeFails();
    void ttyPassesBytesRaw();
    void atFrameBoundary();
    void utf8SplitAcrossFrames();
    void utf8IncompleteAtEnd();
    void utf8InvalidBytes();
};

void TestStreamDemuxer::frames_data()
{
    QTest::addColumn<QList<Frame>>("frames");

    QTest::newRow("one stdout frame") << QList<Frame>{{1, "hello from the container\n"}};
    QTest::newRow("stdout and stderr interleaved") << QList<Frame>{
        {1, "out 1\n"}, {2, "err 1\n"}, {1, "out 2\n"}, {2, "err 2\n"}, {2, "err 3\n"}};
    QTest::newRow("zero-length frames everywhere")
        << QList<Frame>{{1, ""}, {1, "a"}, {2, ""}, {2, "b"}, {1, ""}, {1, ""}, {2, "c"}, {1, ""}};
    QTest::newRow("only zero-length frames") << QList<Frame>{{1, ""}, {2, ""}, {3, ""}};
    QTest::newRow("daemon error (type 3) after output")
        << QList<Frame>{{1, "partial output\n"},
                        {3, "error from daemon in stream: Error grabbing logs"}};
    QTest::newRow("stdin echo (type 0) goes to stdout")
        << QList<Frame>{{0, "typed"}, {1, " then out"}};
    QTest::newRow("nvidia-smi table") << QList<Frame>{
        {1, "+-----------------------------------------------------------------------------+\n"
            "| NVIDIA-SMI 550.54.15   Driver Version: 550.54.15   CUDA Version: 12.4     |\n"},
        {2, "Failed to initialize NVML: Unknown Error\n"}};
    QByteArray binary;
    for (int i = 0; i < 512; ++i)
        binary.append(char(i % 256));
    QTest::newRow("binary payload with header-like bytes")
        << QList<Frame>{{1, binary}, {2, frame(1, "not a frame")}, {1, QByteArray(8, '\0')}};
    // 70000 = 0x00011170: every byte of the size field matters.
    QTest::newRow("frame over 64 KiB") << QList<Frame>{{1, QByteArray(70000, 'x')}, {2, "tail"}};
}

void TestStreamDemuxer::frames()
{
    QFETCH(QList<Frame>, frames);
    QByteArray expectedOut;
    QByteArray expectedErr;
    QByteArray expectedDaemon;
    for (const Frame &f : std::as_const(frames)) {
        if (f.type == 2)
            expectedErr += f.payload;
        else if (f.type == 3)
            expectedDaemon += f.payload;
        else
            expectedOut += f.payload;
    }
    const Transcript out = demux(encode(frames), {});
    QVERIFY(!out.failed);
    QVERIFY(out.atBoundary);
    QCOMPARE(out.stdoutBytes, expectedOut);
    QCOMPARE(out.stderrBytes, expectedErr);
    QCOMPARE(out.daemonBytes, expectedDaemon);
}

void TestStreamDemuxer::splitAtEveryOffset()
{
    QFETCH(QList<Frame>, frames);
    const QByteArray input = encode(frames);
    const Transcript whole = demux(input, {});
    // A prime stride keeps the 70 KB frame quick while still cutting headers at every position.
    const qsizetype step = input.size() > 4096 ? 7 : 1;
    for (qsizetype cut = 0; cut <= input.size(); cut += step) {
        if (!(demux(input, {cut}) == whole))
            QFAIL(qPrintable(QStringLiteral("different output when split at %1").arg(cut)));
    }
}

void TestStreamDemuxer::splitAtEveryPairOfOffsets()
{
    QFETCH(QList<Frame>, frames);
    const QByteArray input = encode(frames);
    const Transcript whole = demux(input, {});
    const qsizetype step = input.size() > 4096 ? 997 : input.size() > 300 ? 5 : 1;
    for (qsizetype a = 1; a < input.size(); a += step) {
        for (qsizetype b = a; b < input.size(); b += step) {
            if (!(demux(input, {a, b}) == whole))
                QFAIL(qPrintable(
                    QStringLiteral("different output when split at %1 and %2").arg(a).arg(b)));
        }
    }
}

void TestStreamDemuxer::byteByByte()
{
    QFETCH(QList<Frame>, frames);
    const QByteArray input = encode(frames);
    const Transcript whole = demux(input, {});
    const Transcript bytes = demux(input, everyByte(input.size()));
    QVERIFY(bytes == whole);
    QCOMPARE(bytes.stdoutBytes, whole.stdoutBytes);
    QCOMPARE(bytes.stderrBytes, whole.stderrBytes);
}

void TestStreamDemuxer::unknownTypeFails_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expectedStdout");

    QTest::newRow("type 4 first") << frame(4, "x") << QByteArray();
    QTest::newRow("type 255 after a good frame")
        << frame(1, "good") + frame(255, "bad") << QByteArray("good");
    // What a raw TTY stream looks like when taken for a framed one.
    QTest::newRow("raw text read as frames")
        << QByteArray("hello world, this is a tty stream\n") << QByteArray();
}

void TestStreamDemuxer::unknownTypeFails()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expectedStdout);
    for (qsizetype cut = 0; cut <= input.size(); ++cut) {
        Transcript out;
        StreamDemuxer demuxer(false, [&out](Channel channel, const char *data, qsizetype size) {
            out.add(channel, data, size);
        });
        const bool ok = demuxer.feed(input.left(cut)) && demuxer.feed(input.mid(cut));
        QVERIFY2(!ok, qPrintable(QStringLiteral("accepted when split at %1").arg(cut)));
        QVERIFY(demuxer.hasFailed());
        QVERIFY2(demuxer.errorString().startsWith("unknown stream type"),
                 demuxer.errorString().constData());
        QCOMPARE(out.stdoutBytes, expectedStdout);
        // Sticky: nothing more comes out of a broken stream.
        QVERIFY(!demuxer.feed(frame(1, "more")));
        QCOMPARE(out.stdoutBytes, expectedStdout);
    }
}

void TestStreamDemuxer::ttyPassesBytesRaw()
{
    // With a TTY the engine sends the terminal's bytes as they are, even when they look like a
    // frame header.
    const QByteArray input = QByteArray("\x1b[1mbold\x1b[0m\r\n", 15) + frame(2, "not a frame")
                             + QByteArray("caf\xc3\xa9\r\n");
    for (qsizetype cut = 0; cut <= input.size(); ++cut) {
        const Transcript out = demux(input, {cut}, true);
        QVERIFY(!out.failed);
        QVERIFY(out.atBoundary);
        QCOMPARE(out.stdoutBytes, input);
        QVERIFY(out.stderrBytes.isEmpty());
    }
    QCOMPARE(demux(input, everyByte(input.size()), true).stdoutBytes, input);
}

void TestStreamDemuxer::atFrameBoundary()
{
    const QByteArray input = frame(1, "hello") + frame(2, "") + frame(2, "x");
    // Where the stream may end: before anything, after each whole frame.
    const QList<qsizetype> boundaries = {0, 13, 21, 30};
    for (qsizetype cut = 0; cut <= input.size(); ++cut) {
        StreamDemuxer demuxer(false, [](Channel, const char *, qsizetype) {});
        QVERIFY(demuxer.feed(input.left(cut)));
        QVERIFY2(demuxer.atFrameBoundary() == boundaries.contains(cut),
                 qPrintable(QStringLiteral("wrong at %1").arg(cut)));
    }
    StreamDemuxer tty(true, [](Channel, const char *, qsizetype) {});
    QVERIFY(tty.feed(input.left(3)));
    QVERIFY(tty.atFrameBoundary());
}

void TestStreamDemuxer::utf8SplitAcrossFrames()
{
    // é (C3 A9) and 😀 (F0 9F 98 80) split across stdout frames, ✓ (E2 9C 93) across stderr
    // frames, with the other channel's frames in between.
    const QByteArray input = frame(1, "caf\xc3") + frame(2, "ok \xe2") + frame(1, "\xa9 ")
                             + frame(2, "\x9c") + frame(1, "\xf0\x9f") + frame(2, "\x93\n")
                             + frame(1, "") + frame(1, "\x98") + frame(1, "\x80\n");
    const QString expectedOut = QStringLiteral("caf\u00e9 \U0001F600\n");
    const QString expectedErr = QStringLiteral("ok \u2713\n");
    for (qsizetype cut = 0; cut <= input.size(); ++cut) {
        OutputDecoder decoder;
        QString out;
        QString err;
        StreamDemuxer demuxer(false, [&](Channel channel, const char *data, qsizetype size) {
            const QString text = decoder.decode(channel, QByteArrayView(data, size));
            (channel == Channel::Stderr ? err : out) += text;
        });
        QVERIFY(demuxer.feed(input.left(cut)));
        QVERIFY(demuxer.feed(input.mid(cut)));
        QCOMPARE(out, expectedOut);
        QCOMPARE(err, expectedErr);
        QVERIFY(!decoder.hasPending(Channel::Stdout));
        QVERIFY(decoder.finish(Channel::Stdout).isEmpty());
        QVERIFY(decoder.finish(Channel::Stderr).isEmpty());
    }
}

void TestStreamDemuxer::utf8IncompleteAtEnd()
{
    OutputDecoder decoder;
    QCOMPARE(decoder.decode(Channel::Stdout, "end \xe2\x9c"), QStringLiteral("end "));
    QVERIFY(decoder.hasPending(Channel::Stdout));
    QVERIFY(!decoder.hasPending(Channel::Stderr));
    QCOMPARE(decoder.finish(Channel::Stdout), QString(QChar::ReplacementCharacter));
    QVERIFY(!decoder.hasPending(Channel::Stdout));
    // After finish the channel starts clean.
    QCOMPARE(decoder.decode(Channel::Stdout, "\x93"), QString(QChar::ReplacementCharacter));
}

void TestStreamDemuxer::utf8InvalidBytes()
{
    OutputDecoder decoder;
    QCOMPARE(decoder.decode(Channel::Stderr, "a\xff"
                                             "b"),
             QStringLiteral("a") + QChar::ReplacementCharacter + QStringLiteral("b"));
    QCOMPARE(decoder.decode(Channel::DaemonError, "daemon"), QStringLiteral("daemon"));
}

QTEST_GUILESS_MAIN(TestStreamDemuxer)
#include "tst_streamdemuxer.moc"
