#pragma once

#include "common/Error.h"
#include "engine/StreamDemuxer.h"
#include "launch/Launcher.h"

#include <QObject>

#include <optional>

// One launch driven for a log tab: a container (ContainerRun) or a service on a swarm (SwarmRun).
// It answers where the launch is in the container's terms for both kinds, so that the tab and the
// window need not know which kind it is.
class LaunchRun : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual void start() = 0;
    // Stops a running container (SIGTERM, then a kill after the grace period) or removes the
    // service; cancels a launch still under way.
    virtual void stop() = 0;
    // Gives up the launch at once: a container is killed and removed; a service is removed, as
    // stop() does.
    virtual void cancel() { stop(); }
    // Lets go of a running container, which runs on (docker's detach); before it runs, cancel().
    virtual void detach() { cancel(); }
    // The container runs on its own, not for this tab (a followed one): cancel() only lets go of
    // it, and quitting need not ask about it.
    virtual bool isDetached() const { return false; }
    virtual Launcher::State state() const = 0;
    // Started and not ended yet.
    bool isActive() const
    {
        const Launcher::State now = state();
        return now != Launcher::State::Idle && now != Launcher::State::Exited
               && now != Launcher::State::Failed && now != Launcher::State::Cancelled;
    }
    virtual std::optional<qint64> exitCode() const = 0;
    virtual const Error &error() const = 0;
    // The container's or the service's id once the engine gave one.
    virtual QString id() const = 0;

signals:
    void output(StreamDemuxer::Channel channel, const QByteArray &data);
    // A sentence about the launch itself, for the log between the output.
    void note(const QString &sentence);
    // state() or id() changed.
    void changed();
    // The launch ended (state() is Exited, Failed or Cancelled), after its last output.
    void finished();
};
