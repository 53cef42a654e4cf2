#pragma once

#include "common/Error.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

class DockerClient;
class JsonStream;

// Knows at once when the engine goes away and notices when it is back. It keeps GET /events
// open: the stream ends the moment dockerd stops, and a ping then tells a gone engine from a
// dropped stream. While the engine is gone it pings again with a growing delay (up to
// kMaxRetryMs); once an answer comes it forgets the old negotiation and says so, so that the
// owner can refresh what it shows.
class EngineWatch : public QObject
{
    Q_OBJECT

public:
    enum class State { Unknown, Connected, Disconnected };
    Q_ENUM(State)

    static constexpr int kFirstRetryMs = 200;
    static constexpr int kMaxRetryMs = 5000;

    explicit EngineWatch(DockerClient *client, QObject *parent = nullptr);
    ~EngineWatch() override;

    // Pings, then watches. Calling it again (a manual refresh) checks at once.
    void start();
    void stop();
    State state() const { return m_state; }
    const Error &error() const { return m_error; }
    int nextRetryMs() const { return m_retryMs; }

signals:
    // The engine answered after being unknown or gone: refresh what depends on it.
    void connected();
    void disconnected(const Error &error);
    // Each engine event (containers, images...), as the engine sent it.
    void engineEvent(const QJsonObject &event);

private:
    void check();
    void openEvents();
    void onEventsEnded();
    void setDown(const Error &error);

    DockerClient *m_client;
    QPointer<JsonStream> m_events;
    QObject *m_calls = nullptr; // context of the ping in flight
    QTimer m_retry;
    State m_state = State::Unknown;
    Error m_error;
    int m_retryMs = kFirstRetryMs;
    int m_quickEnds = 0; // events streams that ended although the engine answered
};
