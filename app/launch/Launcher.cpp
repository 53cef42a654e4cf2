#include "Launcher.h"

#include "CdiNames.h"
#include "CudaRequirement.h"
#include "DockerCreateBody.h"
#include "FreeGpuPicker.h"
#include "GpuLedger.h"
#include "LibpodCreateBody.h"
#include "WaitingLine.h"
#include "containers/ContainerLister.h"
#include "engine/CdiSpecs.h"
#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/EngineError.h"
#include "engine/JsonStream.h"
#include "engine/WaitCall.h"
#include "gpu/GpuInventory.h"

#include <utility>

#include <QHash>
#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcLaunch, "gpudeck.launch", QtWarningMsg)

Launcher::Launcher(DockerClient *client, QObject *parent) : QObject(parent), m_client(client) { }

Launcher::~Launcher()
{
    cleanUp();
}

void Launcher::setGpuInventory(GpuInventory *inventory)
{
    m_inventory = inventory;
}

QString Launcher::stateName(State state)
{
    switch (state) {
    case State::Idle: return QStringLiteral("idle");
    case State::Creating: return QStringLiteral("creating");
    case State::Attaching: return QStringLiteral("attaching");
    case State::Waiting: return QStringLiteral("waiting");
    case State::Starting: return QStringLiteral("starting");
    case State::Running: return QStringLiteral("running");
    case State::Stopping: return QStringLiteral("stopping");
    case State::Exited: return QStringLiteral("exited");
    case State::Failed: return QStringLiteral("failed");
    case State::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

bool Launcher::isActive() const
{
    return m_state != State::Idle && m_state != State::Exited && m_state != State::Failed
           && m_state != State::Cancelled;
}

void Launcher::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    if (state == State::Running)
        releaseGpus(); // the container holds them now, for every reader of the host's GPUs
    qCDebug(lcLaunch) << "state" << stateName(state) << m_id;
    emit stateChanged(state);
}

void Launcher::launch(const LaunchSpec &spec, bool detach)
{
    Q_ASSERT(!isActive());
    cleanUp();
    m_spec = spec;
    m_request = spec;
    m_taken.clear();
    m_host = GpuSnapshot();
    m_requirement = CudaRequirement();
    m_retries = 0;
    static quint64 tickets = 0;
    m_ticket = ++tickets;
    m_waitReason = Error();
    m_detach = detach;
    m_id.clear();
    m_exitCode.reset();
    m_error = Error();
    m_cancelRequested = false;
    m_detached = false;
    m_calls = new QObject(this);
    setState(State::Creating);
    // The engine's kind decides how the launch is written, so it is known first.
    m_client->whenReady(m_calls, [this](const Error &error) {
        if (error.isError()) {
            fail(error, false);
            return;
        }
        m_request = m_spec.resolvedFor(m_client->kind()); // once: the kind is known now
        checkGpus();
    });
}

void Launcher::checkGpus()
{
    if (!m_spec.usesGpus()) {
        create();
        return;
    }
    // The image's environment holds its CUDA requirement. An image the engine cannot inspect is
    // left to the create, which says what is wrong with it (no such image: pull it).
    m_client->inspectImage(m_spec.image, m_calls, [this](const Result<QJsonObject> &image) {
        const QStringList env = image ? CudaRequirement::imageEnv(image.value()) : QStringList();
        const CudaRequirement requirement = CudaRequirement::fromEnv(env + m_spec.env);
        m_requirement = requirement;
        const bool free = m_spec.gpus.mode == GpuSelection::Mode::Free;
        const bool check = !requirement.disabled && !requirement.isEmpty();
        if (!free && !check) {
            create();
            return;
        }
        if (!m_inventory) {
            if (free) {
                fail(Error(Error::Code::Unsupported, QStringLiteral("Cannot take free GPUs"),
                           QStringLiteral("the GPUs of the engine's host cannot be read from here"),
                           QStringLiteral(
                               "Pick the GPUs yourself, or reach the engine over ssh://")),
                     false);
            } else {
                create();
            }
            return;
        }
        // A fresh read: the panel's last one may be a second old. A read already under way is
        // as fresh, and is the one taken.
        connect(
            m_inventory, &GpuInventory::finished, m_calls,
            [this, requirement](const GpuSnapshot &host) { onHostRead(host, requirement); },
            Qt::SingleShotConnection);
        m_inventory->refresh();
    });
}

void Launcher::onHostRead(const GpuSnapshot &host, const CudaRequirement &requirement)
{
    m_retrying = false;
    if (m_waiting && m_cancelRequested) {
        fail(Error(Error::Code::Cancelled, QStringLiteral("Launch cancelled")), false);
        return;
    }
    m_host = host;
    if (host.ok()) {
        if (const Error refused = requirement.check(m_spec.image, host); refused.isError()) {
            fail(refused, false);
            return;
        }
    }
    if (m_spec.gpus.mode == GpuSelection::Mode::Free && host.ok()) {
        pickFreeGpus();
        return;
    }
    takeFreeGpus({}, {});
}

void Launcher::pickFreeGpus()
{
    // A GPU that a running container of any engine of the host holds is taken even when nothing
    // runs on it (an idle notebook). A GPU another launch has claimed and not yet started is taken
    // too: the claims of the host's engines say which.
    ContainerLister::onHost(
        m_client, m_hostEngines, m_calls, [this](const Result<QList<ContainerRecord>> &live) {
            if (!live) {
                fail(Error(live.error())
                         .withWhat(QStringLiteral("Cannot take free GPUs: the engine's "
                                                  "containers could not be read")),
                     false);
                return;
            }
            takeFreeGpus(ContainerLister::heldBy(live.value(), m_host),
                         GpuLedger::claimedBy(GpuLedger::claimsOf(live.value(), m_host), {},
                                              m_client->engineNow()));
        });
}

void Launcher::takeFreeGpus(const QHash<QString, QString> &heldBy,
                            const QHash<QString, QString> &claimedBy)
{
    if (m_spec.gpus.mode == GpuSelection::Mode::Free) {
        // Reserved per GPU host: launches on the local Docker and the local Podman take one
        // machine's GPUs.
        const QString hostName = m_client->endpoint().gpuHostKey();
        const Result<LaunchSpec> resolved = FreeGpuPicker::resolve(
            m_request, m_host, FreeGpuPicker::reserved(hostName), &m_taken, heldBy, claimedBy);
        if (!resolved) {
            // Too few free GPUs (a refusal of the pick, not an unreadable host): wait for them.
            if (m_waitForGpus && m_host.ok()
                && resolved.error().code() == Error::Code::Validation) {
                waitForGpus(resolved.error());
                return;
            }
            fail(resolved.error(), false);
            return;
        }
        stopWaiting();
        m_request = resolved.value();
        FreeGpuPicker::reserve(hostName, FreeGpuPicker::uuids(m_taken));
        m_reservedOn = hostName;
        emit gpusTaken();
        if (m_state != State::Creating)
            return; // a handler cancelled the launch
    }
    create();
}

int Launcher::placeInLine() const
{
    if (!m_waiting)
        return 0;
    return WaitingLine::placeOf(m_lineHost, this);
}

void Launcher::waitForGpus(const Error &reason)
{
    const bool changed = !m_waiting || reason.why() != m_waitReason.why();
    m_waitReason = reason;
    if (!m_waiting) {
        m_waiting = true;
        m_lineHost = m_client->endpoint().gpuHostKey();
        for (Launcher *moved : WaitingLine::join(m_lineHost, this, m_ticket)) {
            QMetaObject::invokeMethod(
                moved, [moved]() { emit moved->waitingForGpus(); }, Qt::QueuedConnection);
        }
        if (!m_waitTimer) {
            m_waitTimer = new QTimer(this);
            connect(m_waitTimer, &QTimer::timeout, this, &Launcher::retryWaiting);
            m_retrySoon = new QTimer(this);
            m_retrySoon->setSingleShot(true);
            m_retrySoon->setInterval(100); // one retry for a burst of events
            connect(m_retrySoon, &QTimer::timeout, this, &Launcher::retryWaiting);
        }
        m_waitTimer->start(kWaitRefreshMs);
    }
    if (!m_events) {
        // Any container that dies, is removed or has its claim removed may free GPUs (Podman
        // says "remove" where dockerd says "destroy").
        m_events = m_client->events(
            {{QStringLiteral("type"), QJsonArray{QStringLiteral("container")}},
             {QStringLiteral("event"),
              QJsonArray{QStringLiteral("die"), QStringLiteral("destroy"), QStringLiteral("remove"),
                         QStringLiteral("stop"), QStringLiteral("kill"), QStringLiteral("start")}}});
        m_events->setParent(this);
        connect(m_events, &JsonStream::object, this, [this]() { m_retrySoon->start(); });
        connect(m_events, &JsonStream::finished, this, [this]() {
            if (m_events)
                m_events->deleteLater();
            m_events = nullptr; // opened again at the next try
        });
    }
    if (std::exchange(m_retryAgain, false))
        m_retrySoon->start();
    if (changed)
        emit waitingForGpus();
}

void Launcher::retryWaiting()
{
    if (m_waiting && m_retrying) {
        m_retryAgain = true; // the read under way may have begun before what freed the GPUs
        return;
    }
    if (!m_waiting || !m_inventory || m_state != State::Creating)
        return;
    // First come, first served: only the head of this process's line for the host tries.
    if (placeInLine() != 1)
        return;
    m_retrying = true;
    const CudaRequirement requirement = m_requirement;
    connect(
        m_inventory, &GpuInventory::finished, m_calls,
        [this, requirement](const GpuSnapshot &host) { onHostRead(host, requirement); },
        Qt::SingleShotConnection);
    m_inventory->refresh();
}

void Launcher::stopWaiting()
{
    if (m_waitTimer) {
        m_waitTimer->stop();
        m_retrySoon->stop();
    }
    if (m_events) {
        m_events->disconnect(this);
        m_events->cancel();
        m_events->deleteLater();
        m_events = nullptr;
    }
    m_retrying = false;
    m_retryAgain = false;
    if (!m_waiting)
        return;
    m_waiting = false;
    // Not through m_client: a window that closes may have deleted it already.
    const WaitingLine::Left left = WaitingLine::leave(m_lineHost, this);
    const bool wasFirst = left.wasFirst;
    // The others moved up a place; the new head tries at once.
    for (Launcher *other : left.rest) {
        QMetaObject::invokeMethod(
            other,
            [other, wasFirst]() {
                emit other->waitingForGpus();
                if (wasFirst)
                    other->retryWaiting();
            },
            Qt::QueuedConnection);
    }
}

void Launcher::releaseGpus()
{
    if (m_reservedOn.isEmpty())
        return;
    FreeGpuPicker::release(m_reservedOn, FreeGpuPicker::uuids(m_taken));
    m_reservedOn.clear();
}

Error Launcher::missingCdiDevice(const LaunchSpec &spec, const CdiInventory &inventory)
{
    for (const QString &name : CdiNames::forGpus(spec.gpus)) {
        if (inventory.contains(name))
            continue;
        const QStringList known = inventory.names();
        return Error(Error::Code::DeviceDriver,
                     QStringLiteral("Cannot launch with the GPU %1").arg(name),
                     known.isEmpty()
                         ? QStringLiteral("the engine's host defines no CDI devices")
                         : QStringLiteral("the engine's host has no CDI device %1 (it has %2)")
                               .arg(name, known.join(QStringLiteral(", "))),
                     QString::fromLatin1(EngineError::kCdiHint));
    }
    return {};
}

void Launcher::create()
{
    LaunchSpec spec = m_request; // resolved for the engine once, in launch()
    // The GPUs it was given, on the container (`gpudeck ps`, the claims of other launches).
    if (!m_taken.isEmpty())
        spec.labels.insert(ContainerRecord::gpusLabel(),
                           FreeGpuPicker::uuids(m_taken).join(QLatin1Char(',')));
    else if (spec.gpus.mode == GpuSelection::Mode::Devices)
        spec.labels.insert(ContainerRecord::gpusLabel(), spec.gpus.devices.join(QLatin1Char(',')));
    // Podman on this host: a GPU without a CDI device is refused before anything is created. (On
    // any engine the start fails for such a device; a container never runs without its GPUs.)
    if (spec.usesGpus() && m_client->isPodman() && !m_client->endpoint().isRemote()) {
        const CdiInventory devices = CdiInventory::fromSpecDirs(
            {QStringLiteral("/etc/cdi"), QStringLiteral("/var/run/cdi")});
        if (!m_taken.isEmpty()) // free GPUs picked: by the names this host's spec gives them
            spec.gpus = GpuSelection::ofDevices(CdiNames::devicesFor(m_taken, devices));
        if (const Error missing = missingCdiDevice(spec, devices); missing.isError()) {
            fail(missing, false);
            return;
        }
    }
    const auto created = [this](const Result<QString> &id) {
        if (!id) {
            fail(id.error(), false);
            return;
        }
        onCreated(id.value());
    };
    if (m_client->needsLibpodCreate())
        m_client->createLibpodContainer(LibpodCreateBody::build(spec), m_calls, created);
    else
        m_client->createContainer(DockerCreateBody::build(spec, m_detach), spec.containerName,
                                  m_calls, created);
}

void Launcher::onCreated(const QString &id)
{
    m_id = id;
    emit containerCreated(id);
    if (m_cancelRequested) {
        fail(Error(Error::Code::Cancelled, QStringLiteral("Launch cancelled")), true);
        return;
    }
    if (m_taken.isEmpty()) {
        afterCreated();
        return;
    }
    // Free GPUs picked: the engine's claims decide whether this launch keeps them.
    GpuLedger::check(m_client, m_hostEngines, id, FreeGpuPicker::uuids(m_taken), m_host, m_calls,
                     [this](const Result<QString> &holder) {
                         if (m_cancelRequested) {
                             fail(Error(Error::Code::Cancelled, QStringLiteral("Launch cancelled")),
                                  true);
                             return;
                         }
                         if (!holder) {
                             fail(Error(holder.error())
                                      .withWhat(QStringLiteral(
                                          "Cannot take free GPUs: the GPU claims on the engine "
                                          "could not be read")),
                                  true);
                             return;
                         }
                         if (!holder.value().isEmpty()) {
                             giveWay(holder.value());
                             return;
                         }
                         afterCreated();
                     });
}

void Launcher::giveWay(const QString &holder)
{
    qCDebug(lcLaunch) << "giving way to" << holder << m_id;
    emit gaveWay(holder);
    if (m_state != State::Creating)
        return; // a handler cancelled the launch
    if (++m_retries > GpuLedger::kMaxRetries) {
        fail(Error(Error::Code::Validation,
                   QStringLiteral("Cannot take %1").arg(m_spec.gpus.summary()),
                   QStringLiteral("other launches claimed the GPUs it picked %1 times in a row")
                       .arg(GpuLedger::kMaxRetries),
                   QStringLiteral("Try again in a moment, or pick the GPUs yourself")),
             true);
        return;
    }
    // Our claim goes before we pick again: nothing is left behind, and no reader sees it.
    m_removing = true;
    m_client->removeContainer(m_id, true, m_calls, [this](const Result<void> &removed) {
        m_removing = false;
        if (!removed && removed.error().httpStatus() != 404) {
            fail(Error(removed.error())
                     .withWhat(QStringLiteral("Cannot give the claimed GPUs back")),
                 false);
            return;
        }
        m_id.clear();
        releaseGpus();
        m_taken.clear();
        m_request = m_spec.resolvedFor(m_client->kind());
        if (m_cancelRequested) {
            fail(Error(Error::Code::Cancelled, QStringLiteral("Launch cancelled")), false);
            return;
        }
        pickFreeGpus();
    });
}

void Launcher::afterCreated()
{
    if (m_detach) {
        onWaitReady();
        return;
    }
    setState(State::Attaching);
    if (m_state != State::Attaching)
        return; // a stateChanged handler cancelled the launch
    m_stream = m_client->attach(m_id, m_spec.tty, m_spec.interactive);
    m_stream->setParent(this);
    connect(m_stream, &ContainerStream::output, this, &Launcher::output);
    connect(m_stream, &ContainerStream::started, this, &Launcher::onAttached);
    connect(m_stream, &ContainerStream::finished, this, [this]() {
        if (m_state == State::Attaching) {
            fail(m_stream->error(), true);
            return;
        }
        checkDone();
    });
}

void Launcher::writeStdin(const QByteArray &data)
{
    if (m_stdinClosed || data.isEmpty())
        return;
    if (m_attached && m_stream)
        m_stream->write(data);
    else
        m_pendingStdin.append(data);
}

void Launcher::closeStdin()
{
    m_stdinClosed = true;
    if (m_attached && m_stream)
        m_stream->closeStdin();
}

void Launcher::resize(int rows, int columns)
{
    m_size = QSize(columns, rows);
    if (m_id.isEmpty() || !m_spec.tty || m_size.isEmpty())
        return;
    m_client->call(
        "POST", QStringLiteral("/containers/%1/resize?h=%2&w=%3").arg(m_id).arg(rows).arg(columns),
        {}, QStringLiteral("Could not resize the container's terminal"), this,
        [](const Result<QByteArray> &) {}); // a container not running yet: sent again at start
}

void Launcher::onAttached()
{
    m_attached = true;
    if (m_spec.interactive && m_stream) {
        if (!m_pendingStdin.isEmpty())
            m_stream->write(std::exchange(m_pendingStdin, {}));
        if (m_stdinClosed)
            m_stream->closeStdin();
    }
    setState(State::Waiting);
    if (m_state != State::Waiting)
        return;
    // Auto-remove: wait until the engine has removed it, so nothing is left behind and the
    // caller never deletes it (which would be a 409).
    // (Podman 4 answers "removed" with status 0 whatever the exit code was: there next-exit, and
    // Podman removes the container right after.)
    const bool removed = m_spec.autoRemove && !m_client->isPodman();
    m_wait = m_client->wait(m_id,
                            removed ? QStringLiteral("removed") : QStringLiteral("next-exit"));
    m_wait->setParent(this);
    connect(m_wait, &WaitCall::ready, this, &Launcher::onWaitReady);
    connect(m_wait, &WaitCall::finished, this, [this]() {
        if (m_state == State::Waiting) {
            fail(m_wait->result().error(), true);
            return;
        }
        checkDone();
    });
}

void Launcher::onWaitReady()
{
    setState(State::Starting);
    if (m_state != State::Starting)
        return;
    m_client->startContainer(m_id, m_calls, [this](const Result<void> &started) {
        if (!started) {
            // The engine removes an auto-remove container whose start failed.
            fail(started.error(), !m_spec.autoRemove);
            return;
        }
        onStarted();
    });
}

void Launcher::onStarted()
{
    if (m_cancelRequested) {
        // Cancelled while starting: take it down again and leave nothing behind. An auto-remove
        // container is killed and the engine removes it; removing it ourselves would race that.
        if (m_spec.autoRemove)
            m_client->killContainer(m_id, QStringLiteral("SIGKILL"), m_client,
                                    [](const Result<void> &) {});
        fail(Error(Error::Code::Cancelled, QStringLiteral("Launch cancelled")), !m_spec.autoRemove);
        return;
    }
    if (m_detach) {
        setState(State::Running);
        if (m_state != State::Running)
            return;
        m_exitCode = 0; // the launch succeeded; the container runs on without us
        finishWith(State::Exited);
        return;
    }
    if (m_state == State::Starting)
        setState(State::Running);
    if (m_state == State::Running && !m_size.isEmpty())
        resize(m_size.height(), m_size.width()); // the size asked for before the start
    if (m_state == State::Running && m_pendingStopGrace) {
        const int grace = *std::exchange(m_pendingStopGrace, std::nullopt);
        stop(grace);
    }
    checkDone();
}

void Launcher::checkDone()
{
    if (m_state != State::Running && m_state != State::Stopping)
        return;
    if (!m_stream || !m_wait || !m_stream->isFinished() || !m_wait->isFinished())
        return;
    const Result<qint64> waited = m_wait->result();
    if (!waited) {
        fail(waited.error(), false);
        return;
    }
    if (m_stream->error().isError() && m_stream->error().code() != Error::Code::Cancelled) {
        // The container ran, but its output broke off: report it with the exit code.
        m_error = m_stream->error();
    }
    m_exitCode = waited.value();
    finishWith(m_cancelRequested ? State::Cancelled : State::Exited);
}

// The one place that decides between not starting and stopping: before the engine was asked to
// start the container, a stop is a cancel; while the start is under way it is remembered and
// honoured as soon as the container runs, so that a stop is never lost.
void Launcher::stop(int graceSeconds)
{
    switch (m_state) {
    case State::Creating:
    case State::Attaching:
    case State::Waiting: cancel(); return;
    case State::Starting: m_pendingStopGrace = graceSeconds; return;
    case State::Running: break;
    default: return;
    }
    setState(State::Stopping);
    // The engine sends SIGTERM and kills after the grace period.
    m_client->stopContainer(m_id, graceSeconds, m_calls, [](const Result<void> &stopped) {
        if (!stopped && stopped.error().httpStatus() != 404)
            qCWarning(lcLaunch) << "stop failed:" << stopped.error().message();
    });
}

void Launcher::cancel()
{
    if (!isActive())
        return;
    m_cancelRequested = true;
    switch (m_state) {
    case State::Creating:
        if (m_waiting && !m_retrying) {
            fail(Error(Error::Code::Cancelled, QStringLiteral("Launch cancelled")), false);
            return;
        }
        return; // onCreated removes it as soon as its id is known
    case State::Attaching:
    case State::Waiting:
        fail(Error(Error::Code::Cancelled, QStringLiteral("Launch cancelled")), true);
        return;
    case State::Starting: return; // onStarted stops it
    case State::Running: stop(0); return;
    default: return;
    }
}

void Launcher::detach()
{
    if (m_state != State::Running) {
        cancel();
        return;
    }
    m_detached = true;
    finishWith(State::Cancelled);
}

int Launcher::failureExitCode() const
{
    // Only a created container's start (or, on Podman, its attach) can fail for its command;
    // an engine that never got that far failed the launch itself.
    constexpr int kLaunchFailed = 125;
    if (m_id.isEmpty() || m_error.httpStatus() == 0)
        return kLaunchFailed;
    return EngineError::startFailureExitCode(m_error.why());
}

void Launcher::fail(const Error &error, bool removeContainer)
{
    if (!isActive())
        return;
    m_error = error;
    if (removeContainer && !m_id.isEmpty()) {
        // Not parented to m_calls: the removal outlives this launch's cleanup.
        m_removing = true;
        m_client->removeContainer(m_id, true, m_client,
                                  [id = m_id,
                                   self = QPointer<Launcher>(this)](const Result<void> &removed) {
                                      if (!removed && removed.error().httpStatus() != 404
                                          && removed.error().httpStatus() != 409)
                                          qCWarning(lcLaunch) << "could not remove" << id
                                                              << removed.error().message();
                                      if (self) {
                                          self->m_removing = false;
                                          emit self->containerRemoved();
                                      }
                                  });
    }
    finishWith(error.code() == Error::Code::Cancelled ? State::Cancelled : State::Failed);
}

void Launcher::finishWith(State state)
{
    cleanUp();
    setState(state);
    emit finished();
}

void Launcher::cleanUp()
{
    stopWaiting();
    releaseGpus();
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->cancel();
        m_stream->deleteLater();
    }
    if (m_wait) {
        m_wait->disconnect(this);
        m_wait->cancel();
        m_wait->deleteLater();
    }
    delete m_calls;
    m_calls = nullptr;
}
