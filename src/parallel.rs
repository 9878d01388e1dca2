//! Work split over the machine's two cores: an import parses, checks and
//! stems each batch of lines on two threads off the task that writes, which
//! meanwhile writes the batch before (bench/README.md).

/// `f` on a thread of tokio's blocking pool: the task awaiting it goes on
/// polling its other futures meanwhile (an import's write of the batch
/// before).
pub async fn off_thread<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Fewer items than this are not worth a thread.
const ON_ONE_THREAD: usize = 64;

/// `f` of each item, in order; the first half on a second thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= ON_ONE_THREAD {
        return items.iter().map(f).collect();
    }
    let (first, second) = items.split_at(items.len() / 2);
    let (mut first, second): (Vec<R>, Vec<R>) = std::thread::scope(|scope| {
        let helper = scope.spawn(|| first.iter().map(&f).collect());
        let second = second.iter().map(&f).collect();
        (helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), second)
    });
    first.extend(second);
    first
}

/// `f` of the first half of the items, on a second thread, and of the
/// second half.
pub fn halves<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> (R, R) {
    if items.len() <= ON_ONE_THREAD {
        return (f(&[]), f(items));
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let helper = scope.spawn(|| f(first));
        let second = f(second);
        (helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), second)
    })
}

/// Calls `f` on each item; the first half on a second thread.
pub fn for_each<T: Send>(items: &mut [T], f: impl Fn(&mut T) + Sync) {
    if items.len() <= ON_ONE_THREAD {
        return items.iter_mut().for_each(f);
    }
    let (first, second) = items.split_at_mut(items.len() / 2);
    std::thread::scope(|scope| {
        scope.spawn(|| first.iter_mut().for_each(&f));
        second.iter_mut().for_each(&f);
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items_on_either_side_of_the_split() {
        for n in [0, 1, 64, 65, 1000] {
            let items: Vec<usize> = (0..n).collect();
            assert_eq!(super::map(&items, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
            let (first, second) = super::halves(&items, |half| half.to_vec());
            assert_eq!([first, second].concat(), items);
            let mut each = items.clone();
            super::for_each(&mut each, |i| *i += 1);
            assert_eq!(each, (1..=n).collect::<Vec<_>>());
        }
    }
}
