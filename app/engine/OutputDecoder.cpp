#include "OutputDecoder.h"

OutputDecoder::Utf8 &OutputDecoder::decoderFor(StreamDemuxer::Channel channel)
{
    switch (channel) {
    case StreamDemuxer::Channel::Stdout: return m_stdout;
    case StreamDemuxer::Channel::Stderr: return m_stderr;
    case StreamDemuxer::Channel::DaemonError: break;
    }
    return m_daemon;
}

const OutputDecoder::Utf8 &OutputDecoder::decoderFor(StreamDemuxer::Channel channel) const
{
    return const_cast<OutputDecoder *>(this)->decoderFor(channel);
}

QString OutputDecoder::decode(StreamDemuxer::Channel channel, QByteArrayView bytes)
{
    return decoderFor(channel).decode(bytes);
}

bool OutputDecoder::hasPending(StreamDemuxer::Channel channel) const
{
    return decoderFor(channel).hasPending();
}

QString OutputDecoder::finish(StreamDemuxer::Channel channel)
{
    Utf8 &decoder = decoderFor(channel);
    const bool pending = decoder.hasPending();
    decoder.resetState();
    return pending ? QString(QChar::ReplacementCharacter) : QString();
}
