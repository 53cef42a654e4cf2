// libFuzzer target: arbitrary bytes as an engine's answer, through HttpResponseParser and then
// StreamDemuxer (the body of a logs stream, or the raw stream after a 101), like HttpReply and
// ContainerStream do. Input layout: [flags][cut][response bytes...]
//   flags bit 0: the request was HEAD; bit 1: TTY stream; bit 2: the peer closes at the end.
//   cut: where the bytes are split into two reads, as a fraction of their length.
// Besides the sanitizers, the outcome must not depend on where the bytes were cut.
#include "engine/StreamDemuxer.h"
#include "http/HttpResponseParser.h"

#include <cstdint>
#include <cstdlib>

namespace {

struct Outcome
{
    bool failed = false;
    int heads = 0;
    int status = 0;
    int completes = 0;
    int upgrades = 0;
    QByteArray body;
    QByteArray channels[4]; // demuxed bytes by stream type
    bool demuxFailed = false;
    bool atFrameBoundary = true;
};

void check(bool condition)
{
    if (!condition)
        abort();
}

Outcome run(const char *data, qsizetype size, qsizetype cut, std::uint8_t flags)
{
    Outcome out;
    StreamDemuxer demuxer((flags & 2) != 0,
                          [&out](StreamDemuxer::Channel channel, const char *bytes, qsizetype n) {
                              const int index = static_cast<int>(channel);
                              check(index >= 1 && index <= 3 && n > 0);
                              out.channels[index].append(bytes, n);
                          });
    auto demux = [&](const char *bytes, qsizetype n) {
        if (!out.demuxFailed && !demuxer.feed(bytes, n)) {
            out.demuxFailed = true;
            check(!demuxer.errorString().isEmpty());
        }
    };
    HttpResponseParser parser(
        HttpResponseParser::Callbacks{[&](const HttpResponseHead &head) {
                                          ++out.heads;
                                          out.status = head.status;
                                          check(head.status >= 100 && head.status <= 999);
                                          check(head.upgraded == (head.status == 101));
                                      },
                                      [&](const char *bytes, qsizetype n) {
                                          check(out.heads == 1 && out.completes == 0 && n >= 0);
                                          out.body.append(bytes, n);
                                          demux(bytes, n);
                                      },
                                      [&]() { ++out.completes; },
                                      [&](const QByteArray &rest) {
                                          ++out.upgrades;
                                          demux(rest.constData(), rest.size());
                                      }});
    parser.reset((flags & 1) != 0);

    const qsizetype pieces[2][2] = {{0, cut}, {cut, size - cut}};
    for (const auto &piece : pieces) {
        if (out.failed)
            break;
        if (parser.isUpgraded())
            demux(data + piece[0], piece[1]);
        else if (!parser.feed(data + piece[0], piece[1]))
            out.failed = true;
    }
    if (!out.failed && (flags & 4) && !parser.finish())
        out.failed = true;

    check(out.failed == parser.hasFailed());
    check(!out.failed || !parser.errorString().isEmpty());
    check(out.heads <= 1 && out.completes <= 1 && out.upgrades <= 1);
    check(!(out.completes && out.upgrades));
    check(out.body.size() <= size);
    out.atFrameBoundary = demuxer.atFrameBoundary();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *input, std::size_t length)
{
    if (length < 2)
        return 0;
    const std::uint8_t flags = input[0];
    const auto *data = reinterpret_cast<const char *>(input + 2);
    const auto size = qsizetype(length - 2);
    const qsizetype cut = size * input[1] / 255;

    const Outcome whole = run(data, size, size, flags);
    const Outcome split = run(data, size, cut, flags);
    check(whole.failed == split.failed);
    if (!whole.failed) {
        check(whole.heads == split.heads && whole.status == split.status);
        check(whole.completes == split.completes && whole.upgrades == split.upgrades);
        check(whole.body == split.body);
        check(whole.demuxFailed == split.demuxFailed);
        if (!whole.demuxFailed) {
            for (int i = 1; i <= 3; ++i)
                check(whole.channels[i] == split.channels[i]);
            check(whole.atFrameBoundary == split.atFrameBoundary);
        }
    }
    return 0;
}
