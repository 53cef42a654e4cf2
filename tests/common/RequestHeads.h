#pragma once

#include <QByteArray>
#include <QList>

// For fake engines (a QLocalServer standing in for the engine's socket): takes every whole
// HTTP request out of buffer, bodies skipped by their Content-Length, and returns their heads
// (the request line and the headers, without the blank line). A request still arriving stays.
inline QList<QByteArray> takeRequestHeads(QByteArray *buffer)
{
    QList<QByteArray> heads;
    for (;;) {
        const qsizetype end = buffer->indexOf("\r\n\r\n");
        if (end < 0)
            return heads;
        const QByteArray head = buffer->left(end);
        qsizetype length = 0;
        for (const QByteArray &line : head.split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (buffer->size() < end + 4 + length)
            return heads;
        buffer->remove(0, end + 4 + length);
        heads.append(head);
    }
}

// The request line of a head: "GET /v1.41/info HTTP/1.1".
inline QByteArray requestLineOf(const QByteArray &head)
{
    return head.left(head.indexOf("\r\n"));
}
