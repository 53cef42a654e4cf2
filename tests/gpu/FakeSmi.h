#pragma once

// A fake nvidia-smi for the fallback tests: an executable script in a temporary directory that
// answers each kind of query with a file the test wrote. Put the directory first on PATH.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

class FakeSmi
{
public:
    enum class Mode { Answer, DriverFailure, Hang };

    explicit FakeSmi(Mode mode = Mode::Answer)
    {
        QString body;
        switch (mode) {
        case Mode::Answer:
            body = QStringLiteral("case \"$*\" in\n"
                                  "  *--query-gpu=index,uuid*) cat \"$D/identity.csv\" ;;\n"
                                  "  *--query-gpu=index,memory.used*) cat \"$D/live.csv\" ;;\n"
                                  "  *--query-compute-apps*) cat \"$D/apps.csv\" ;;\n"
                                  "  -L) cat \"$D/list.txt\" ;;\n"
                                  "  '') cat \"$D/table.txt\" ;;\n"
                                  "  *) echo \"unexpected: $*\" >&2; exit 2 ;;\n"
                                  "esac\n"
                                  "echo \"$*\" >> \"$D/calls.log\"\n");
            break;
        case Mode::DriverFailure:
            body = QStringLiteral(
                "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
                "driver. Make sure that the latest NVIDIA driver is installed and running.\"\n"
                "exit 9\n");
            break;
        case Mode::Hang: body = QStringLiteral("exec sleep 30\n"); break;
        }
        QFile f(path());
        if (f.open(QIODevice::WriteOnly)) {
            f.write("#!/bin/sh\nPATH=/usr/bin:/bin\nD='" + QFile::encodeName(m_dir.path()) + "'\n"
                    + body.toUtf8());
            f.close();
        }
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        for (const char *name : {"identity.csv", "live.csv", "apps.csv", "list.txt", "table.txt"})
            write(QString::fromLatin1(name), {});
    }

    QString dir() const { return m_dir.path(); }
    QString path() const { return m_dir.filePath(QStringLiteral("nvidia-smi")); }
    void write(const QString &name, const QByteArray &content) const
    {
        QFile f(m_dir.filePath(name));
        if (f.open(QIODevice::WriteOnly))
            f.write(content);
    }
    // Two idle H100s, GPU 0 GPU-aaaa and GPU 1 GPU-bbbb (or the UUIDs given): the stand-in GPUs
    // of the shared-host tests (issue 27), whose containers hold them by these UUIDs.
    void writeTwoIdleGpus(const QByteArray &uuid0 = "GPU-aaaa",
                          const QByteArray &uuid1 = "GPU-bbbb") const
    {
        write(QStringLiteral("identity.csv"),
              "0, " + uuid0
                  + ", NVIDIA H100 80GB HBM3, 00000000:07:00.0, 81559, 0, 0, 0, 30, "
                    "70.00, 700.00, Disabled, 580.159.04\n"
                    "1, "
                  + uuid1
                  + ", NVIDIA H100 80GB HBM3, 00000000:0F:00.0, 81559, 0, 0, 0, 30, "
                    "70.00, 700.00, Disabled, 580.159.04\n");
        // Later reads ask for the live figures only.
        write(QStringLiteral("live.csv"), "0, 0, 0, 0, 30, 70.00, 700.00\n"
                                          "1, 0, 0, 0, 30, 70.00, 700.00\n");
    }
    QByteArray calls() const
    {
        QFile f(m_dir.filePath(QStringLiteral("calls.log")));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    // PATH with only this directory: no other nvidia-smi can answer.
    QByteArray pathOnly() const { return QFile::encodeName(m_dir.path()); }

private:
    QTemporaryDir m_dir;
};
