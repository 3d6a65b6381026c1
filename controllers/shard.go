package controllers

import (
	"context"
	"maps"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/shopify-odoo/connector/api/v1alpha1"
	"github.com/shopify-odoo/connector/internal/shard"
)

// ShardCache restricts the manager's cache of every kind of the connector
// to the objects of one shard; an empty selector leaves it whole.
func ShardCache(opts cache.Options, sel labels.Selector) cache.Options {
	if sel.Empty() {
		return opts
	}
	opts.ByObject = maps.Clone(opts.ByObject)
	if opts.ByObject == nil {
		opts.ByObject = map[client.Object]cache.ByObject{}
	}
	for _, obj := range []client.Object{&v1.ShopifyInstance{}, &v1.OrderQueue{}, &v1.ImportQueue{}, &v1.ProductExport{}, &v1.PayoutReport{}} {
		opts.ByObject[obj] = cache.ByObject{Label: sel}
	}
	return opts
}

// follower moves an object whose instance is in another shard into that
// shard, by giving it the instance's shard label: a person may create one
// without the label, and an instance moved to another shard leaves its
// objects behind. The shard that sees the object does so, and the other
// one takes it from there.
type follower struct {
	client client.Client
	reader client.Reader
	kind   client.Object     // an empty object of the kind followed
	list   client.ObjectList // and its list
}

func (f *follower) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	obj := f.kind.DeepCopyObject().(client.Object)
	if err := f.client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	key := client.ObjectKey{Namespace: obj.GetNamespace(), Name: instanceName(obj)}
	var inst v1.ShopifyInstance
	if err := f.client.Get(ctx, key, &inst); !apierrors.IsNotFound(err) {
		return ctrl.Result{}, err // in this shard, or the cache failed
	}
	if err := f.reader.Get(ctx, key, &inst); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	old := obj.DeepCopyObject().(client.Object)
	l := obj.GetLabels()
	if !shard.Copy(inst.Labels, &l) {
		return ctrl.Result{}, nil // the cache has yet to see the instance
	}
	obj.SetLabels(l)
	return ctrl.Result{}, client.IgnoreNotFound(f.client.Patch(ctx, obj, client.MergeFrom(old)))
}

// objectsOf maps an instance to its objects in the cache. An instance that
// leaves this shard leaves the cache, and its objects then follow it.
func (f *follower) objectsOf(ctx context.Context, inst client.Object) []reconcile.Request {
	list := f.list.DeepCopyObject().(client.ObjectList)
	if err := f.client.List(ctx, list, client.InNamespace(inst.GetNamespace()), client.MatchingFields{instanceField: inst.GetName()}); err != nil {
		return nil
	}
	var out []reconcile.Request
	_ = meta.EachListItem(list, func(o runtime.Object) error {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(o.(client.Object))})
		return nil
	})
	return out
}

// setupFollowers follows the instances' shards with every kind that works
// through an instance.
func setupFollowers(mgr ctrl.Manager) error {
	for name, kind := range map[string]struct {
		obj  client.Object
		list client.ObjectList
	}{
		"orderqueue":    {&v1.OrderQueue{}, &v1.OrderQueueList{}},
		"importqueue":   {&v1.ImportQueue{}, &v1.ImportQueueList{}},
		"productexport": {&v1.ProductExport{}, &v1.ProductExportList{}},
		"payoutreport":  {&v1.PayoutReport{}, &v1.PayoutReportList{}},
	} {
		f := &follower{client: mgr.GetClient(), reader: mgr.GetAPIReader(), kind: kind.obj, list: kind.list}
		if err := ctrl.NewControllerManagedBy(mgr).For(kind.obj).
			Watches(&v1.ShopifyInstance{}, handler.EnqueueRequestsFromMapFunc(f.objectsOf)).
			Named(name + "-shard").Complete(f); err != nil {
			return err
		}
	}
	return nil
}

// anyShard reads an instance from this shard's cache, else from the API
// server: the webhook receiver of any shard serves every instance, and the
// queues it creates carry the instance's shard label, so the instance's
// own shard imports them.
type anyShard struct {
	client.Client
	reader client.Reader
}

func (c anyShard) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	err := c.Client.Get(ctx, key, obj, opts...)
	if apierrors.IsNotFound(err) {
		err = c.reader.Get(ctx, key, obj, opts...)
	}
	return err
}
