#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>

class DockerClient;

// The engine's containers by ID, for naming the owners of GPU processes: a container is inspected
// once, then kept and kept current from the engine's events (rename, destroy, create), so a 1 Hz
// GPU refresh costs no engine call when nothing changed. An ID the engine does not know (another
// engine's container) is remembered as such until the engine reports a container of that ID.
class ContainerDirectory : public QObject
{
    Q_OBJECT

public:
    struct Entry
    {
        QString id;
        QString name; // without the leading "/"
        QString image;
    };

    explicit ContainerDirectory(DockerClient *client, QObject *parent = nullptr);
    ~ContainerDirectory() override;

    // The entry for a full container ID, or null when not known yet (a lookup starts then; found()
    // follows when it lands) or not a container of this engine.
    const Entry *find(const QString &id);
    bool isForeign(const QString &id) const { return m_foreign.contains(id); }
    // Looks up every ID not known yet; done runs once all answered (at once when none is missing).
    void lookUp(const QStringList &ids, QObject *context, std::function<void()> done);

    // One engine event, as EngineWatch::engineEvent gives it.
    void onEvent(const QJsonObject &event);
    // Forgets everything (after the engine was away: events were missed).
    void clear();

    // Containers launched from this window.
    void markYours(const QString &id) { m_yours.insert(id); }
    bool isYours(const QString &id) const { return m_yours.contains(id); }

    // Engine calls made so far (inspects), for tests and the benchmark.
    int engineCalls() const { return m_calls; }
    // Fills the cache without asking the engine (the benchmark).
    void remember(const Entry &entry) { m_entries.insert(entry.id, entry); }

signals:
    // A lookup landed, or an event changed a known container: owners named from here may differ.
    void changed();

private:
    void inspect(const QString &id);
    void settle();

    QPointer<DockerClient> m_client;
    QHash<QString, Entry> m_entries;
    QSet<QString> m_foreign;
    QSet<QString> m_pending;
    QSet<QString> m_yours;
    QObject *m_context; // of the inspects in flight; replaced by clear()
    struct Waiter
    {
        QPointer<QObject> context;
        std::function<void()> done;
    };
    QList<Waiter> m_waiters;
    int m_calls = 0;
};
