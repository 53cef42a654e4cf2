#pragma once

#include "common/Error.h"

#include <QString>

#include <functional>

class QObject;

// Makes a port of the engine's host reachable from this machine, over a connection the transport
// already has (an ssh connection's forwards). Transports without one offer none
// (Connector::portForwarder()).
class PortForwarder
{
public:
    virtual ~PortForwarder();

    // This machine's 127.0.0.1:localPort reaches remoteHost:remotePort as the engine's host sees
    // it. done runs once, from the event loop, with an error when it could not be set up (or
    // none); nothing runs once context is gone.
    virtual void forwardPort(int localPort, const QString &remoteHost, int remotePort,
                             QObject *context, const std::function<void(const Error &)> &done) = 0;
    // Ends such a forward; nothing to wait for.
    virtual void cancelForward(int localPort, const QString &remoteHost, int remotePort) = 0;

    // A TCP port of 127.0.0.1 that nothing listens on now (0 when none could be found).
    static int freeLocalPort();
};
