#pragma once

#include <QString>

#include <functional>

// One line of the GPU readiness checklist (Doctor): what it checks, and how it came out.
struct DoctorCheck
{
    // In the order the checklist shows them.
    enum class Id { Engine, Socket, Driver, GpuRequest, Runtime, Cdi, CdiRefresh, Cuda, Swarm };
    enum class Status { Pending, Pass, Fail, Warn, Skip };

    // How a check came out: passes or fails with the reason, the fix, and a command that fixes
    // it where there is one.
    struct Verdict
    {
        Verdict() = default;
        Verdict(Status status_, QString detail_, QString fix_ = {}, QString command_ = {})
            : status(status_),
              detail(std::move(detail_)),
              fix(std::move(fix_)),
              command(std::move(command_))
        {
        }

        Status status = Status::Pending;
        QString detail;  // what was found
        QString fix;     // what to do when it did not pass
        QString command; // a command that fixes it, when there is one
    };

    // How a check that asks the engine answers: once, perhaps from within the call that starts
    // it; never once the context given to that call is gone.
    using Done = std::function<void(const Verdict &)>;

    // The ids of `gpudeck doctor --json` and of the dialog's object names (a contract): "engine",
    // "socket", "driver", "gpu-request", "runtime", "cdi", "cdi-refresh", "cuda", "swarm".
    static QString idName(Id id);
    static QString statusName(Status status);

    Id which = Id::Engine;
    QString id; // idName(which)
    QString title;
    Status status = Status::Pending;
    QString detail;
    QString fix;
    QString command;
};
