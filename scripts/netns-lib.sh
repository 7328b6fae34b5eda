# What the DDS test and bench share (sourced): two network namespaces joined by a veth
# pair, so that DDS between processes in them can only go over that pair.
# shellcheck shell=bash

# netns_pair NS_A NS_B VETH_A VETH_B NET: makes namespaces NS_A and NS_B, the veth pair
# VETH_A (in NS_A, NET.1/24) and VETH_B (in NS_B, NET.2/24), and brings them and each
# namespace's lo up. Fails (status of the first ip that failed) if it cannot: the caller
# removes what was made (ip netns del, which takes the veth pair with it).
netns_pair() {
	ip netns add "$1" && ip netns add "$2" &&
		ip link add "$3" type veth peer name "$4" &&
		ip link set "$3" netns "$1" && ip link set "$4" netns "$2" &&
		ip -n "$1" addr add "$5.1/24" dev "$3" && ip -n "$2" addr add "$5.2/24" dev "$4" &&
		ip -n "$1" link set "$3" up && ip -n "$2" link set "$4" up &&
		ip -n "$1" link set lo up && ip -n "$2" link set lo up
}

# dds_uri IFACE: a CYCLONEDDS_URI that makes Cyclone DDS use the interface IFACE.
dds_uri() {
	echo "<CycloneDDS><Domain><General><Interfaces><NetworkInterface name=\"$1\"/></Interfaces></General></Domain></CycloneDDS>"
}
