#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

// One HTTP/1.1 request to the engine. Short calls (the default) reuse a keep-alive connection and
// have connect and header timeouts; streams (attach, logs, wait, events) get a connection of their
// own and no timeout once the headers are in.
struct HttpRequest
{
    QByteArray method = "GET";
    QByteArray target; // origin-form: "/v1.41/info?x=y"
    // extra headers; Host and Content-Length are added
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool stream = false;  // deliver the body as it arrives instead of buffering it
    bool upgrade = false; // ask for a hijacked raw stream (Connection: Upgrade, Upgrade: tcp)
    int connectTimeoutMs = 5000;
    int headerTimeoutMs = 60000; // for short calls: whole response; for streams: until the headers

    void addHeader(const QByteArray &name, const QByteArray &value)
    {
        headers.append(QPair<QByteArray, QByteArray>(name, value));
    }

    static HttpRequest get(const QByteArray &target)
    {
        HttpRequest request;
        request.target = target;
        return request;
    }
    static HttpRequest post(const QByteArray &target, const QByteArray &jsonBody = {})
    {
        HttpRequest request;
        request.method = "POST";
        request.target = target;
        request.body = jsonBody;
        if (!jsonBody.isEmpty())
            request.addHeader("Content-Type", "application/json");
        return request;
    }
};
