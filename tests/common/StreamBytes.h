#pragma once

#include <QByteArray>
#include <QList>

// Bytes for the parser and demuxer tests.

// One frame of the engine's multiplexed stream: [type, 0, 0, 0, size (big-endian)] + payload.
inline QByteArray frame(int type, const QByteArray &payload)
{
    const auto size = quint32(payload.size());
    QByteArray header(8, '\0');
    header[0] = char(type);
    header[4] = char((size >> 24) & 0xff);
    header[5] = char((size >> 16) & 0xff);
    header[6] = char((size >> 8) & 0xff);
    header[7] = char(size & 0xff);
    return header + payload;
}

// Every offset at which input of this size can be split in two.
inline QList<qsizetype> everyByte(qsizetype size)
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < size; ++i)
        cuts.append(i);
    return cuts;
}
