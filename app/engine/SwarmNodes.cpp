#include "SwarmNodes.h"

#include "DockerClient.h"

#include <QHash>
#include <QJsonDocument>
#include <QUrl>

#include <algorithm>
#include <memory>

int SwarmNode::heldGpus() const
{
    return int(std::count_if(gpus.cbegin(), gpus.cend(),
                             [](const Gpu &gpu) { return !gpu.taskId.isEmpty(); }));
}

QJsonObject SwarmNode::toJson() const
{
    QJsonArray list;
    for (const Gpu &gpu : gpus) {
        QJsonValue task;
        if (!gpu.taskId.isEmpty()) {
            task = QJsonObject{{QStringLiteral("task"), gpu.taskId},
                               {QStringLiteral("name"), gpu.taskName},
                               {QStringLiteral("service"), gpu.service},
                               {QStringLiteral("state"), gpu.taskState}};
        }
        list.append(
            QJsonObject{{QStringLiteral("uuid"), gpu.uuid}, {QStringLiteral("task"), task}});
    }
    return QJsonObject{
        {QStringLiteral("id"), id},       {QStringLiteral("hostname"), hostname},
        {QStringLiteral("state"), state}, {QStringLiteral("availability"), availability},
        {QStringLiteral("role"), role},   {QStringLiteral("address"), address},
        {QStringLiteral("gpus"), list},   {QStringLiteral("gpuCount"), gpuCount()}};
}

namespace SwarmNodes {

Advertised advertisedGpus(const QJsonArray &genericResources)
{
    Advertised out;
    for (const QJsonValue &r : genericResources) {
        const QJsonObject named = r[QStringLiteral("NamedResourceSpec")].toObject();
        const QJsonObject counted = r[QStringLiteral("DiscreteResourceSpec")].toObject();
        if (named.value(QStringLiteral("Kind")).toString() == QLatin1String(kGpuKind))
            out.uuids << named.value(QStringLiteral("Value")).toString();
        else if (counted.value(QStringLiteral("Kind")).toString() == QLatin1String(kGpuKind))
            out.counted += counted.value(QStringLiteral("Value")).toInt();
    }
    return out;
}

QList<SwarmNode> fromJson(const QJsonArray &nodes, const QJsonArray &services,
                          const QJsonArray &tasks)
{
    QHash<QString, QString> serviceNames;
    for (const QJsonValue &s : services)
        serviceNames.insert(s[QStringLiteral("ID")].toString(),
                            s[QStringLiteral("Spec")][QStringLiteral("Name")].toString());
    // "node/GPU UUID" -> the task holding it.
    QHash<QString, SwarmNode::Gpu> holders;
    for (const QJsonValue &t : tasks) {
        const QString state = t[QStringLiteral("Status")][QStringLiteral("State")].toString();
        if (state == QLatin1String("complete") || state == QLatin1String("failed")
            || state == QLatin1String("shutdown") || state == QLatin1String("rejected"))
            continue;
        SwarmNode::Gpu holder;
        holder.taskId = t[QStringLiteral("ID")].toString();
        holder.service = serviceNames.value(t[QStringLiteral("ServiceID")].toString());
        holder.taskName =
            QStringLiteral("%1.%2").arg(holder.service).arg(t[QStringLiteral("Slot")].toInt());
        holder.taskState = state;
        // The Engine API names a task's assigned resources "GenericResources" (swarmkit's
        // AssignedGenericResources).
        for (const QJsonValue &r : t[QStringLiteral("GenericResources")].toArray()) {
            const QJsonObject named = r[QStringLiteral("NamedResourceSpec")].toObject();
            if (named.value(QStringLiteral("Kind")).toString() == QLatin1String(kGpuKind)) {
                holder.uuid = named.value(QStringLiteral("Value")).toString();
                holders.insert(t[QStringLiteral("NodeID")].toString() + QLatin1Char('/')
                                   + holder.uuid,
                               holder);
            }
        }
    }

    QList<SwarmNode> out;
    for (const QJsonValue &n : nodes) {
        SwarmNode node;
        node.id = n[QStringLiteral("ID")].toString();
        node.hostname = n[QStringLiteral("Description")][QStringLiteral("Hostname")].toString();
        node.state = n[QStringLiteral("Status")][QStringLiteral("State")].toString();
        node.availability = n[QStringLiteral("Spec")][QStringLiteral("Availability")].toString();
        node.address = n[QStringLiteral("Status")][QStringLiteral("Addr")].toString();
        const bool manager = n[QStringLiteral("ManagerStatus")].isObject();
        node.role = n[QStringLiteral("ManagerStatus")][QStringLiteral("Leader")].toBool()
                        ? QStringLiteral("leader")
                        : (manager ? QStringLiteral("manager") : QStringLiteral("worker"));
        const Advertised advertised = advertisedGpus(n[QStringLiteral(
            "Description")][QStringLiteral("Resources")][QStringLiteral("GenericResources")]
                                                         .toArray());
        for (const QString &uuid : advertised.uuids) {
            SwarmNode::Gpu gpu = holders.value(node.id + QLatin1Char('/') + uuid);
            gpu.uuid = uuid;
            node.gpus.append(gpu);
        }
        node.countedGpus = advertised.counted;
        out.append(node);
    }
    return out;
}

Error notAManager(const Error &error)
{
    Error e = error;
    if (error.httpStatus() == 503)
        e.withHint(QStringLiteral("run it against a swarm manager: docker swarm init on this "
                                  "engine, or --host a manager"));
    return e;
}

void read(DockerClient *client, QObject *context, Done done)
{
    struct Answers
    {
        QJsonArray nodes, services, tasks;
        Error error;
        int pending = 3;
    };
    auto answers = std::make_shared<Answers>();
    const auto collect = [answers, done = std::move(done)](QJsonArray *into,
                                                           const Result<QByteArray> &body,
                                                           bool fromNodes) {
        if (!body && !answers->error.isError())
            answers->error = fromNodes ? notAManager(body.error()) : body.error();
        else if (body)
            *into = QJsonDocument::fromJson(body.value()).array();
        if (--answers->pending > 0)
            return;
        if (answers->error.isError())
            done(answers->error);
        else
            done(fromJson(answers->nodes, answers->services, answers->tasks));
    };
    client->call("GET", QStringLiteral("/nodes"), {},
                 QStringLiteral("Could not list the swarm's nodes"), context,
                 [answers, collect](const Result<QByteArray> &body) {
                     collect(&answers->nodes, body, true);
                 });
    client->call("GET", QStringLiteral("/services"), {},
                 QStringLiteral("Could not list the swarm's services"), context,
                 [answers, collect](const Result<QByteArray> &body) {
                     collect(&answers->services, body, false);
                 });
    const QString running = QString::fromLatin1(
        QUrl::toPercentEncoding(QStringLiteral("{\"desired-state\":[\"running\"]}")));
    client->call("GET", QStringLiteral("/tasks?filters=") + running, {},
                 QStringLiteral("Could not list the swarm's tasks"), context,
                 [answers, collect](const Result<QByteArray> &body) {
                     collect(&answers->tasks, body, false);
                 });
}

} // namespace SwarmNodes
