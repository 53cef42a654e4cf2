#pragma once

#include "StreamDemuxer.h"

#include <QByteArrayView>
#include <QString>
#include <QStringDecoder>

// UTF-8 text from a container's output, decoded per channel with state: a character whose bytes
// are split across frames or reads comes out whole, and stdout never completes a character that
// stderr began. Invalid bytes become U+FFFD. The raw bytes stay the truth (ContainerStream keeps
// them exact); this is for showing them.
class OutputDecoder
{
public:
    QString decode(StreamDemuxer::Channel channel, QByteArrayView bytes);
    // The stream ended: a character left incomplete on a channel becomes U+FFFD.
    QString finish(StreamDemuxer::Channel channel);
    bool hasPending(StreamDemuxer::Channel channel) const;

private:
    // QStringDecoder keeps its partial bytes in protected state; this reads whether any are left.
    class Utf8 : public QStringDecoder
    {
    public:
        Utf8() : QStringDecoder(QStringDecoder::Utf8) { }
        bool hasPending() const { return state.remainingChars != 0; }
    };

    Utf8 &decoderFor(StreamDemuxer::Channel channel);
    const Utf8 &decoderFor(StreamDemuxer::Channel channel) const;

    Utf8 m_stdout;
    Utf8 m_stderr;
    Utf8 m_daemon;
};
